import { afterEach, describe, expect, it } from 'vitest';
import { excerpt, renderMarkdown } from '../../server/shared/markdown.ts';
import { call, type TestApp } from '../support/app.ts';
import { discussionsApp, getJson, makeCategory, signedMember, startThread } from '../support/discussions.ts';

const html = (source: string, names = new Map<number, string>()) => renderMarkdown(source, names).html;

describe('markdown: rendered once, sanitized, no raw HTML', () => {
  it('renders the everyday Markdown members write', () => {
    expect(html('**bold** and _em_ and ~~gone~~ and `code`')).toBe(
      '<p><strong>bold</strong> and <em>em</em> and <s>gone</s> and <code>code</code></p>'
    );
    expect(html('- one\n- two')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(html('3. three\n4. four')).toContain('<ol start="3">');
    expect(html('> quoted\n> text')).toBe('<blockquote>\n<p>quoted<br />\ntext</p>\n</blockquote>');
    expect(html('```\nconst a = 1 < 2;\n```')).toBe('<pre><code>const a = 1 &lt; 2;\n</code></pre>');
    expect(html('line one\nline two')).toBe('<p>line one<br />\nline two</p>');
  });

  it('shifts headings to start at h3 so a post never outranks its page', () => {
    expect(html('# Big')).toBe('<h3>Big</h3>');
    expect(html('## Less')).toBe('<h4>Less</h4>');
    expect(html('#### Small')).toBe('<h6>Small</h6>');
    expect(html('###### Smallest')).toBe('<h6>Smallest</h6>');
  });

  it('never passes raw HTML through: it is shown as text', () => {
    for (const payload of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<iframe src="https://evil.example"></iframe>',
      '<svg onload=alert(1)>',
      '<style>body{display:none}</style>',
      '<div style="background:url(javascript:alert(1))">x</div>'
    ]) {
      const out = html(payload);
      expect(out, payload).not.toMatch(/<(script|img|iframe|svg|style|div)\b/i);
      expect(out, payload).not.toMatch(/<[a-z]+\s[^>]*\bon\w+=/i);
      expect(out, payload).toContain('&lt;');
    }
  });

  it('links: http, https and mailto only, each with rel="noopener nofollow ugc"; other schemes stay text', () => {
    expect(html('[guide](https://www.ovc.ojp.gov/guide)')).toBe(
      '<p><a href="https://www.ovc.ojp.gov/guide" rel="noopener nofollow ugc">guide</a></p>'
    );
    expect(html('[mail](mailto:office@ojp.example.gov)')).toContain(
      'href="mailto:office@ojp.example.gov" rel="noopener nofollow ugc"'
    );
    expect(html('see https://bja.ojp.gov/ for more')).toContain('<a href="https://bja.ojp.gov/" rel="noopener nofollow ugc">');
    for (const bad of [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](vbscript:msgbox(1))',
      '[x](data:text/html;base64,PHNjcmlwdD4=)',
      '[x](file:///etc/passwd)',
      '[x](/relative/path)',
      '[x](//evil.example/x)',
      '<javascript:alert(1)>',
      '[x](ftp://files.example.gov/a)'
    ]) {
      const out = html(bad);
      expect(out, bad).not.toContain('<a');
      expect(out, bad).not.toMatch(/href=/);
    }
    // The link text survives when the link does not.
    expect(html('[read this](javascript:alert(1))')).toContain('read this');
  });

  it('images are not allowed: their alt text is shown instead', () => {
    expect(html('![Task force org chart](https://example.gov/chart.png)')).toBe('<p>Task force org chart</p>');
    expect(html('![<script>x</script>](https://example.gov/a.png)')).not.toContain('<script');
  });

  it('tables render without inline styles (the CSP forbids them)', () => {
    const out = html('| a | b |\n|--:|:-|\n| 1 | 2 |');
    expect(out).toContain('<table>');
    expect(out).toContain('<td>1</td>');
    expect(out).not.toContain('style');
  });

  it('mentions show the member’s current name from the id, never the typed text', () => {
    const names = new Map([[7, 'Dana <Whitfield>']]);
    expect(html('Thanks @[Admin](member:7)!', names)).toBe(
      '<p>Thanks <a href="/members/7" rel="noopener nofollow ugc" class="mention">@Dana &lt;Whitfield&gt;</a>!</p>'
    );
    // An id naming nobody stays plain text.
    expect(html('Hi @[Ghost](member:999)', names)).toBe('<p>Hi @Ghost</p>');
    // Inside code, it is code.
    expect(html('`@[Dana](member:7)`', names)).toBe('<p><code>@[Dana](member:7)</code></p>');
    expect(renderMarkdown('@[A](member:1) @[B](member:2) @[A again](member:1)').mentionIds).toEqual([1, 2]);
  });

  it('extracts plain text for search: words without markup, code included, no control characters', () => {
    const { text } = renderMarkdown(
      '# Heading\n\nSome **bold** [link text](https://a.example.gov) and `inline`\u0002.\n\n```\nblock code\n```\n\n![alt words](https://x.example.gov/a.png)',
      new Map()
    );
    expect(text).toContain('Heading');
    expect(text).toContain('Some bold link text and inline');
    expect(text).toContain('block code');
    expect(text).toContain('alt words');
    expect(text).not.toMatch(/[*#`]|https:/);
    expect(text).not.toContain('\u0002');
  });

  it('excerpts are short and whole-word-ish', () => {
    expect(excerpt('a '.repeat(300), 20).length).toBeLessThanOrEqual(20);
    expect(excerpt('short')).toBe('short');
  });
});

describe('preview: exactly what will be saved', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  it('returns the HTML the post then stores, and the privacy findings without refusing', async () => {
    t = await discussionsApp();
    const admin = await signedMember(t, { role: 'admin' });
    const member = await signedMember(t);
    const category = await makeCategory(t, admin);
    const source = '## Interview tips\n\n1. Build rapport\n2. Use an interpreter\n\nSee [OVC](https://ovc.ojp.gov) <b>raw</b>';
    const preview = await call(t.app, 'POST', '/api/discussions/preview', { cookie: member.cookie, body: { body: source } });
    expect(preview.statusCode).toBe(200);
    const { threadId } = await startThread(t, member, category, { body: source });
    const page = await getJson(t, member, `/api/discussions/threads/${threadId}`);
    expect(page.json().posts[0].html).toBe(preview.json().html);
    expect(preview.json().findings).toEqual([]);

    const risky = await call(t.app, 'POST', '/api/discussions/preview', {
      cookie: member.cookie,
      body: { body: 'Her number is 713-555-0142.' }
    });
    expect(risky.statusCode).toBe(200);
    expect(risky.json().findings.map((f: { kind: string }) => f.kind)).toEqual(['phone']);
  });

  it('refuses an empty body, an oversized one, and unknown fields, with clear messages', async () => {
    t = await discussionsApp();
    const member = await signedMember(t);
    const empty = await call(t.app, 'POST', '/api/discussions/preview', { cookie: member.cookie, body: { body: '   ' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/Write something/);
    const huge = await call(t.app, 'POST', '/api/discussions/preview', {
      cookie: member.cookie,
      body: { body: 'x'.repeat(50_001) }
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toMatch(/at most 50,000 characters/);
    const extra = await call(t.app, 'POST', '/api/discussions/preview', {
      cookie: member.cookie,
      body: { body: 'hi', html: '<b>' }
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.fields.html).toBeDefined();
  });
});
