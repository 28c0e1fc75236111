import type { DbOrTx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { DAY } from '../../shared/clock.ts';
import { Invalid, TooManyRequests } from '../../shared/errors.ts';
import { parseMarkdown, renderParsed } from '../../shared/markdown.ts';
import { checkPrivacy, PrivacyCheckRequired, type PrivacyFinding } from '../../shared/privacyGuard.ts';
import { all, get, idList } from './sql.ts';

export const TITLE_MIN = 8;
export const TITLE_MAX = 200;
export const BODY_MAX = 50_000;
export const MAX_MENTIONS = 10;

export interface ComposeInput {
  body: string;
  title?: string;
  /** The author saw the privacy check's findings and confirms none of it identifies a victim. */
  confirmPrivacy?: boolean;
}

export interface Composed {
  title: string | null;
  body: string;
  html: string;
  /** Plain text for the search index and excerpts. */
  text: string;
  mentionIds: number[];
  findings: PrivacyFinding[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function cleanTitle(raw: string): string {
  const title = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (title.length < TITLE_MIN || title.length > TITLE_MAX) {
    throw new Invalid(`A title needs ${TITLE_MIN} to ${TITLE_MAX} characters.`, {
      title: `Use ${TITLE_MIN} to ${TITLE_MAX} characters.`
    });
  }
  return title;
}

/** Current names of the mentioned members; ids that name nobody stay plain text. */
export function mentionNames(db: DbOrTx, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = all<{ id: number; name: string }>(
    db,
    'SELECT id, name FROM members WHERE id IN (SELECT value FROM json_each(@ids))',
    { ids: idList(ids) }
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Markdown → HTML + plain text, with mentions resolved (no checks: for re-indexing stored posts). */
export function renderStored(db: DbOrTx, body: string) {
  const parsed = parseMarkdown(body);
  return renderParsed(parsed, mentionNames(db, parsed.mentionIds));
}

function isMemberEmail(db: DbOrTx, emails: string[]): Set<string> {
  if (emails.length === 0) return new Set();
  return new Set(
    all<{ email: string }>(db, 'SELECT email FROM members WHERE email IN (SELECT value FROM json_each(@emails))', {
      emails: JSON.stringify(emails)
    }).map((r) => r.email)
  );
}

/** What the privacy guard finds in a title and body (members' own addresses are not findings). */
export function privacyFindings(ctx: Ctx, text: string): PrivacyFinding[] {
  const emails = [...text.matchAll(/\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b/gi)].map((m) => m[0].toLowerCase());
  const known = isMemberEmail(ctx.db, emails);
  return checkPrivacy(text, {
    isMemberEmail: (email) => known.has(email),
    latestBirthYear: new Date(ctx.clock.now()).getUTCFullYear() - 5
  });
}

/**
 * Validate, render and privacy-check a post before it is saved. Throws 400 for a bad body and
 * 422 privacy_check (with the findings) unless the author confirmed.
 */
export function compose(ctx: Ctx, input: ComposeInput, opts: { checkPrivacy?: boolean } = {}): Composed {
  const title = input.title === undefined ? null : cleanTitle(input.title);
  const body = input.body.replace(/\r\n?/g, '\n');
  if (body.trim().length === 0) throw new Invalid('Write something first.', { body: 'Write something first.' });
  if (body.length > BODY_MAX) {
    throw new Invalid(`A post can be at most ${BODY_MAX.toLocaleString('en-US')} characters.`, {
      body: `At most ${BODY_MAX.toLocaleString('en-US')} characters.`
    });
  }
  const parsed = parseMarkdown(body);
  if (parsed.mentionIds.length > MAX_MENTIONS) {
    throw new Invalid(`A post can mention at most ${MAX_MENTIONS} members.`, {
      body: `Mention at most ${MAX_MENTIONS} members.`
    });
  }
  const rendered = renderParsed(parsed, mentionNames(ctx.db, parsed.mentionIds));
  const findings = opts.checkPrivacy === false ? [] : privacyFindings(ctx, `${title ?? ''}\n${body}`);
  if (findings.length > 0 && input.confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);
  return { title, body, html: rendered.html, text: rendered.text, mentionIds: rendered.mentionIds, findings };
}

/** One post per POST_INTERVAL_SECONDS per member. Checked after validation, so a refused body does not count. */
export function checkPostInterval(ctx: Ctx): void {
  const seconds = ctx.config.postIntervalSeconds;
  if (seconds === 0) return;
  const wait = ctx.limiter.hit(`post:${ctx.actor!.id}`, [{ limit: 1, windowMs: seconds * 1000 }], ctx.clock.now());
  if (wait > 0) {
    throw new TooManyRequests(`You are posting too quickly: you can post again in ${wait} second${wait === 1 ? '' : 's'}.`, wait);
  }
}

/** THREADS_PER_DAY new threads per member per 24 hours, counted in the database (it survives restarts). */
export function checkThreadQuota(ctx: Ctx): void {
  const now = ctx.clock.now();
  const limit = ctx.config.threadsPerDay;
  const row = get<{ n: number; oldest: number | null }>(
    ctx.db,
    `SELECT count(*) AS n, min(created_at) AS oldest FROM (
       SELECT created_at FROM threads WHERE author_id = @me AND created_at > @since ORDER BY created_at DESC LIMIT @limit)`,
    { me: ctx.actor!.id, since: now - DAY, limit }
  );
  if (row && row.n >= limit && row.oldest !== null) {
    const wait = Math.max(1, Math.ceil((row.oldest + DAY - now) / 1000));
    const hours = Math.ceil(wait / 3600);
    throw new TooManyRequests(
      `You have started ${limit} threads in the last 24 hours, the most allowed. You can start another in about ${hours} hour${hours === 1 ? '' : 's'}.`,
      wait
    );
  }
}

/** Gentle limits for cheap actions (drafts, previews, flags, reactions) so a script cannot flood. */
export function checkActionRate(ctx: Ctx, action: string, limit: number, windowMs: number): void {
  const wait = ctx.limiter.hit(`${action}:${ctx.actor!.id}`, [{ limit, windowMs }], ctx.clock.now());
  if (wait > 0) throw new TooManyRequests(`Too many requests: try again in ${wait} second${wait === 1 ? '' : 's'}.`, wait);
}
