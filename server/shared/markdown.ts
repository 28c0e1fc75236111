import MarkdownIt, { type StateCore, type StateInline, type Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Member text → HTML, once, when saved. Markdown-it without raw HTML does the work; sanitize-html
 * with a small allowlist runs after it anyway (defense in depth). Links: http, https and mailto
 * only, each with rel="noopener nofollow ugc"; anything else stays plain text. Images are not
 * allowed: their alt text is shown. Headings start at <h3> so a post never outranks its page.
 *
 * Mentions are written @[Name](member:ID) (the composer's autocomplete inserts them): the id is
 * what counts, and the name shown is the member's current name, never the text typed.
 */

export const MENTION_RE = /^@\[([^\]\n]{1,100})\]\(member:(\d{1,9})\)/;
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;
const MENTION_HREF = /^\/members\/\d{1,9}$/;
export const LINK_REL = 'noopener nofollow ugc';

interface RenderEnv {
  names?: ReadonlyMap<number, string>;
  images?: boolean;
}

/**
 * Spotlight bodies (and only they, with `{ images: true }`) may show pictures uploaded to the image
 * store: `![alt](/api/images/<id>)` with that exact path and a non-empty alt becomes an <img>; any
 * other image stays its alt text, as everywhere else.
 */
export const STORED_IMAGE_RE = /^\/api\/images\/([1-9]\d{0,8})$/;

export interface RenderOptions {
  images?: boolean;
}

function mentionRule(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */) return false;
  const match = MENTION_RE.exec(state.src.slice(state.pos, state.pos + 130));
  if (!match) return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.meta = { id: Number(match[2]), label: match[1] };
  }
  state.pos += match[0].length;
  return true;
}

/** Drop links whose target is not http, https or mailto: their text stays. Shift headings down two levels. */
function tidyRule(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type === 'heading_open' || block.type === 'heading_close') {
      block.tag = `h${Math.min(6, Number(block.tag.slice(1)) + 2)}`;
    }
    if (block.type !== 'inline' || !block.children) continue;
    const open: boolean[] = [];
    block.children = block.children.filter((token) => {
      if (token.type === 'link_open') {
        const keep = SAFE_HREF.test(String(token.attrGet('href') ?? ''));
        open.push(keep);
        return keep;
      }
      if (token.type === 'link_close') return open.pop() ?? false;
      return true;
    });
  }
}

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.inline.ruler.before('link', 'mention', mentionRule);
md.core.ruler.push('tidy', tidyRule);

const escapeHtml = md.utils.escapeHtml;

md.renderer.rules.mention = (tokens, idx, _options, env) => {
  const { id, label } = tokens[idx]!.meta as { id: number; label: string };
  const name = (env as RenderEnv | undefined)?.names?.get(id);
  if (name === undefined) return escapeHtml(`@${label}`);
  return `<a class="mention" href="/members/${id}">@${escapeHtml(name)}</a>`;
};
md.renderer.rules.image = (tokens, idx, options, env) => {
  const alt = md.renderer.renderInlineAsText(tokens[idx]!.children ?? [], options, env);
  const src = String(tokens[idx]!.attrGet('src') ?? '');
  if ((env as RenderEnv | undefined)?.images && STORED_IMAGE_RE.test(src) && alt.trim() !== '') {
    return `<img src="${src}" alt="${escapeHtml(alt.trim())}" loading="lazy">`;
  }
  return escapeHtml(alt);
};
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx]!.attrSet('rel', LINK_REL);
  return self.renderToken(tokens, idx, options);
};

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    's',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td'
  ],
  allowedAttributes: { a: ['href', 'rel', 'class'], ol: ['start'] },
  allowedClasses: { a: ['mention'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const href = attribs.href ?? '';
      const mention = attribs.class === 'mention' && MENTION_HREF.test(href);
      if (!mention && !SAFE_HREF.test(href)) return { tagName: 'span', attribs: {} };
      return { tagName, attribs: { href, rel: LINK_REL, ...(mention ? { class: 'mention' } : {}) } };
    }
  }
};

/** The allowlist plus stored images (exact path only: anything else is dropped). */
const SANITIZE_WITH_IMAGES: sanitizeHtml.IOptions = {
  ...SANITIZE,
  allowedTags: [...(SANITIZE.allowedTags as string[]), 'img'],
  allowedAttributes: { ...(SANITIZE.allowedAttributes as Record<string, string[]>), img: ['src', 'alt', 'loading'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  exclusiveFilter: (frame) => frame.tag === 'img' && !STORED_IMAGE_RE.test(frame.attribs.src ?? '')
};

export interface ParsedMarkdown {
  tokens: Token[];
  /** Distinct member ids mentioned, in order of first appearance. */
  mentionIds: number[];
}

export function parseMarkdown(source: string): ParsedMarkdown {
  const tokens = md.parse(source, {});
  const ids = new Set<number>();
  for (const block of tokens)
    for (const t of block.children ?? []) if (t.type === 'mention') ids.add((t.meta as { id: number }).id);
  return { tokens, mentionIds: [...ids] };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Plain text for the search index and excerpts: words only, no markup; one line per block. */
function plainText(tokens: Token[], names: ReadonlyMap<number, string>): string {
  const lines: string[] = [];
  for (const block of tokens) {
    if (block.type === 'fence' || block.type === 'code_block') lines.push(block.content);
    if (block.type !== 'inline' || !block.children) continue;
    let line = '';
    for (const t of block.children) {
      if (t.type === 'text' || t.type === 'code_inline' || t.type === 'image') line += t.content;
      else if (t.type === 'mention') {
        const { id, label } = t.meta as { id: number; label: string };
        line += `@${names.get(id) ?? label}`;
      } else if (t.type === 'softbreak' || t.type === 'hardbreak') line += '\n';
    }
    lines.push(line);
  }
  return lines
    .join('\n')
    .replace(CONTROL, ' ')
    .replace(/[ \t]*\n\s*/g, '\n')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

export interface RenderedMarkdown {
  html: string;
  text: string;
  mentionIds: number[];
}

/** Render a parsed document; `names` maps mentioned member ids to their current names (unknown ids stay text). */
export function renderParsed(
  parsed: ParsedMarkdown,
  names: ReadonlyMap<number, string> = new Map(),
  options: RenderOptions = {}
): RenderedMarkdown {
  const env: RenderEnv = { names, images: options.images === true };
  const raw = md.renderer.render(parsed.tokens, md.options, env as Record<string, unknown>);
  const html = sanitizeHtml(raw, options.images ? SANITIZE_WITH_IMAGES : SANITIZE).trim();
  return { html, text: plainText(parsed.tokens, names), mentionIds: parsed.mentionIds };
}

export function renderMarkdown(
  source: string,
  names: ReadonlyMap<number, string> = new Map(),
  options: RenderOptions = {}
): RenderedMarkdown {
  return renderParsed(parseMarkdown(source), names, options);
}

/** Every image written in the text (`![alt](src)`), in order: spotlight bodies check each one's alt and target. */
export function imagesIn(parsed: ParsedMarkdown): { src: string; alt: string }[] {
  const found: { src: string; alt: string }[] = [];
  for (const block of parsed.tokens)
    for (const t of block.children ?? []) {
      if (t.type === 'image') {
        found.push({
          src: String(t.attrGet('src') ?? ''),
          alt: md.renderer.renderInlineAsText(t.children ?? [], md.options, {})
        });
      }
    }
  return found;
}

/** A short plain-text excerpt (notifications, lists). */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
