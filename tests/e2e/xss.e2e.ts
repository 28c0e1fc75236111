import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertNoProblems, checkPage, launch } from './support/browser.ts';
import { allPosts, apiSession, createCategory, signedInTab, type MemberApi, type MemberTab } from './support/discussions.ts';
import { seeder, type SeededMember } from './support/seed.ts';
import { startServer, type RunningServer } from './support/server.ts';
import { SHORT_XSS_PAYLOADS, XSS_PAYLOADS } from './fixtures/xss-payloads.ts';

/** Every title carries this word and a group word, so search pages (at most 10 of 20) reach every thread. */
const PROBE = 'xssprobe';
const GROUP_SIZE = 100;
const titleOf = (i: number, payload: string) => `${PROBE} g${Math.floor(i / GROUP_SIZE)} n${i} ${payload}`.slice(0, 200);

/**
 * Runs in every frame before the page's own scripts: anything a payload would do to prove it ran
 * is recorded here and reported to the test (the binding outlives the page that called it). Plain
 * JavaScript in a string: a function would be serialized after the TypeScript transform, whose
 * helpers (such as __name) do not exist in the page.
 */
const DETECTOR = `(() => {
  window.__xss = [];
  const report = (what) => {
    window.__xss.push(what);
    try { window.__xssReport(what); } catch { /* a frame without the binding: __xss still has it */ }
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    window[name] = (...args) => { report(name + '(' + args.map(String).join(', ') + ')'); return null; };
  }
  // Sanitizing should leave the policy nothing to block: a violation means markup tried to run or load something.
  document.addEventListener('securitypolicyviolation', (e) =>
    report('CSP blocked ' + (e.blockedURI || 'inline') + ' (' + e.violatedDirective + ')'));
  const title = Object.getOwnPropertyDescriptor(Document.prototype, 'title');
  Object.defineProperty(Document.prototype, 'title', {
    configurable: true,
    get() { return title.get.call(this); },
    set(value) {
      // Svelte sets the page's own title on hydration; anything else is a payload.
      if (!String(value).endsWith(' — Task Force Connect')) report('document.title = ' + value);
      title.set.call(this, value);
    }
  });
})();`;

/** What the sanitizer may let through, checked in the live DOM of every rendered post, snippet and title. */
function audit(): string[] {
  const issues: string[] = [];
  const tags = new Set(
    'P BR STRONG EM S DEL CODE PRE BLOCKQUOTE UL OL LI H3 H4 H5 H6 HR A TABLE THEAD TBODY TR TH TD MARK SPAN'.split(' ')
  );
  const attributes = new Set(['href', 'rel', 'class', 'start']);
  const safeHref = /^(https?:\/\/|mailto:|\/members\/\d+$)/i;
  for (const root of document.querySelectorAll('.post-body, .search-snippet, .search-hit-title a')) {
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (!tags.has(el.tagName)) issues.push(`<${tag}> inside .${root.className || root.tagName}`);
      for (const a of el.attributes) {
        if (!attributes.has(a.name)) issues.push(`${a.name}="${a.value}" on <${tag}>`);
        if (a.name === 'href' && !safeHref.test(a.value)) issues.push(`href="${a.value}" on <${tag}>`);
      }
    }
  }
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'background', 'poster'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) issues.push(`${a.name} handler on <${el.tagName.toLowerCase()}>`);
      if (!urlAttributes.includes(a.name.toLowerCase())) continue;
      // eslint-disable-next-line no-control-regex
      const url = a.value.replace(/[\u0000-\u0020\u200b\ufeff]/g, '').toLowerCase();
      if (/^(javascript|vbscript|livescript|data):/.test(url))
        issues.push(`${a.name}="${a.value}" on <${el.tagName.toLowerCase()}>`);
    }
  }
  const dangerous =
    'main script, main iframe, main frame, main object, main embed, main style, main link, main math, main template, ' +
    'main svg:not(.category-swatch), main img, main video, main audio, main input[autofocus], base, meta[http-equiv="refresh" i]';
  for (const el of document.querySelectorAll(dangerous)) issues.push(`<${el.tagName.toLowerCase()}> in the page`);
  if (!document.title.endsWith(' — Task Force Connect')) issues.push(`the title became "${document.title}"`);
  return issues;
}

/** Tags in stored HTML (text is escaped, so every "<" opens a real tag): only the allowlist, no handlers or script URLs. */
function storedHtmlProblems(html: string): string[] {
  const problems: string[] = [];
  if (/<\s*script/i.test(html)) problems.push('<script');
  for (const [tag, name, attrs] of html.matchAll(/<\/?([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    if (!/^(p|br|strong|em|s|del|code|pre|blockquote|ul|ol|li|h[3-6]|hr|a|table|thead|tbody|tr|th|td)$/.test(name!)) {
      problems.push(`tag ${tag}`);
    }
    for (const [, attr, value] of attrs!.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      if (!['href', 'rel', 'class', 'start'].includes(attr!)) problems.push(`attribute ${attr} in ${tag}`);
      if (attr === 'href' && !/^(https?:\/\/|mailto:|\/members\/\d+$)/i.test(value ?? '')) problems.push(`href in ${tag}`);
    }
  }
  return problems;
}

describe(`${XSS_PAYLOADS.length} XSS payloads saved as posts and titles and rendered in Chromium`, () => {
  let server: RunningServer;
  let browser: Browser;
  let author: MemberApi;
  let closeAuthor: () => Promise<void>;
  let viewer: SeededMember;
  let corpusCategory: number;
  const threads: { id: number; index: number }[] = [];
  let repliesThread: number;
  /** Payloads the API refused (a 4xx is a fair answer to odd input; a 5xx is not). */
  const refused: string[] = [];
  let savedReplies = 0;

  beforeAll(async () => {
    server = await startServer({ POST_INTERVAL_SECONDS: '0', THREADS_PER_DAY: '10000' });
    const seed = seeder(server);
    const tf = seed.taskForce('Gulf Coast Human Trafficking Task Force (fictional)');
    const admin = await seed.member({ role: 'admin', name: 'Jordan Reyes (fictional)' });
    const writer = await seed.member({ name: '<img src=x onerror=alert(1)> Alex', taskForceId: tf.id });
    viewer = await seed.member({ name: 'Blair Okafor', taskForceId: tf.id });
    seed.close();

    const adminSession = await apiSession(server.origin, admin);
    corpusCategory = await createCategory(adminSession.api, {
      name: SHORT_XSS_PAYLOADS[0]!,
      description: XSS_PAYLOADS.find((p) => p.length <= 500 && p.includes('onerror'))!
    });
    for (const [i, name] of SHORT_XSS_PAYLOADS.slice(1).entries()) {
      await createCategory(adminSession.api, { name, description: XSS_PAYLOADS[i]!, position: 20 + i });
    }
    await adminSession.close();

    ({ api: author, close: closeAuthor } = await apiSession(server.origin, writer));
    // A few at a time: fast, and the server's single SQLite writer is never flooded.
    const save = async (i: number) => {
      const payload = XSS_PAYLOADS[i]!;
      const made = await author.post<{ threadId: number }>(`/discussions/categories/${corpusCategory}/threads`, {
        title: titleOf(i, payload),
        body: payload,
        confirmPrivacy: true
      });
      if (made.status === 201) threads.push({ id: made.data.threadId, index: i });
      else refused.push(`thread ${i} (${made.status}): ${JSON.stringify(payload)}`);
    };
    for (let i = 0; i < XSS_PAYLOADS.length; i += 4) {
      await Promise.all([i, i + 1, i + 2, i + 3].filter((n) => n < XSS_PAYLOADS.length).map(save));
    }
    const corpus = await author.post<{ threadId: number }>(`/discussions/categories/${corpusCategory}/threads`, {
      title: 'Every payload again, as replies',
      body: 'Replies below.'
    });
    repliesThread = corpus.data.threadId;
    const saveReply = async (payload: string) => {
      const made = await author.post(`/discussions/threads/${repliesThread}/posts`, { body: payload, confirmPrivacy: true });
      if (made.status === 201) savedReplies++;
      else refused.push(`reply (${made.status}): ${JSON.stringify(payload)}`);
    };
    for (let i = 0; i < XSS_PAYLOADS.length; i += 4) await Promise.all(XSS_PAYLOADS.slice(i, i + 4).map(saveReply));
    browser = await launch();
  });

  afterAll(async () => {
    await closeAuthor?.();
    await browser?.close();
    await server?.stop();
  });

  it('every payload is saved (or refused with a 4xx) and the stored HTML keeps only the allowlist', async () => {
    expect(refused.filter((r) => !/\((4\d\d)\)/.test(r))).toEqual([]);
    expect(threads.length).toBeGreaterThanOrEqual(200);
    expect(savedReplies).toBeGreaterThanOrEqual(200);
    expect(threads.length + savedReplies + refused.length).toBe(2 * XSS_PAYLOADS.length);
    const replies = await allPosts(author, repliesThread);
    expect(replies).toHaveLength(savedReplies + 1);

    const problems: string[] = [];
    for (const post of replies) for (const p of storedHtmlProblems(post.html ?? '')) problems.push(`reply #${post.number}: ${p}`);
    for (const thread of threads) {
      const [opening] = await allPosts(author, thread.id);
      for (const p of storedHtmlProblems(opening!.html ?? '')) problems.push(`thread ${thread.index}: ${p}`);
    }
    expect(problems).toEqual([]);
    // The sanitizer is not simply dropping everything: safe links survive.
    expect(replies.some((p) => p.html?.includes('<a href="https://example.org" rel="noopener nofollow ugc">'))).toBe(true);
  });

  it('none runs on the discussion lists, the thread pages (paged) or the search results', async () => {
    const origin = server.origin;
    const tab = await signedInTab(browser, origin, viewer);
    const fired = await watch(tab, origin);
    const { page } = tab;
    let pages = 0;
    const axeDone = new Set<string>();

    /** Opens a page, then: nothing ran, nothing left the site, only allowlisted markup; axe once per kind. */
    async function render(url: string, kind: string, on: Page = page): Promise<void> {
      const response = await on.goto(url, { waitUntil: 'load' });
      expect(response?.status(), url).toBe(200);
      // Image errors and focus handlers would have fired by the next frame.
      await on.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
      expect(await on.evaluate(() => (window as unknown as { __xss: string[] }).__xss), url).toEqual([]);
      expect(await on.evaluate(audit), url).toEqual([]);
      expect(fired, url).toEqual([]);
      if (on === page && !axeDone.has(kind)) {
        axeDone.add(kind);
        await checkPage(tab, `${kind} with XSS payloads`);
      }
      assertNoProblems(tab, url);
      pages++;
    }
    /** The address the link named `name` leads to, or null on the last page. */
    const nextHref = async (name: string) => {
      const link = page.getByRole('link', { name, exact: true }).first();
      return (await link.count()) ? new URL((await link.getAttribute('href'))!, page.url()).href : null;
    };

    if (refused.length > 0) console.log(`refused with a 4xx:\n  ${refused.join('\n  ')}`);
    // The detector itself: a canary must be caught, or a silent run would prove nothing.
    await page.goto(`${origin}/discussions`, { waitUntil: 'load' });
    await page.evaluate(() => {
      window.alert('canary');
      document.title = 'canary';
    });
    await expect
      .poll(() => [...fired])
      .toEqual([expect.stringContaining('alert(canary)'), expect.stringContaining('document.title = canary')]);
    fired.length = 0;

    // The lists: every category (names and descriptions are payloads too) and every page of the corpus category.
    await render(`${origin}/discussions`, 'the discussions page');
    const categories = await tab.api.ok<{ categories: { id: number }[] }>('GET', '/discussions/categories');
    for (const c of categories.categories)
      if (c.id !== corpusCategory) await render(`${origin}/discussions/c/${c.id}`, 'a category');
    let listed = 0;
    for (let url: string | null = `${origin}/discussions/c/${corpusCategory}`; url; url = await nextHref('Next page')) {
      await render(url, 'a category');
      listed += await page
        .getByRole('list', { name: /^Threads in / })
        .getByRole('listitem')
        .count();
    }
    expect(listed).toBe(threads.length + 1);

    // The replies thread page by page (every payload as a body), then each thread's own page (the title
    // in <h1> and <title>), three tabs at a time to keep the run short.
    let shownReplies = 0;
    for (let url: string | null = `${origin}/discussions/t/${repliesThread}?from=1`; url; url = await nextHref('Later posts')) {
      await render(url, 'a thread');
      shownReplies += await page.locator('article.post .post-body').count();
    }
    expect(shownReplies).toBe(savedReplies + 1);
    const tabs = [page, ...(await Promise.all([1, 2].map(() => tab.context.newPage())))];
    for (const extra of tabs.slice(1)) watchPage(extra, origin, fired);
    const queue = [...threads];
    await Promise.all(
      tabs.map(async (on) => {
        for (let next = queue.shift(); next; next = queue.shift())
          await render(`${origin}/discussions/t/${next.id}?from=1`, 'a thread', on);
      })
    );
    await Promise.all(tabs.slice(1).map((extra) => extra.close()));

    // Search: titles and snippets (highlighted) for every thread, group by group.
    let hits = 0;
    const groups = Math.ceil(XSS_PAYLOADS.length / GROUP_SIZE);
    for (let g = 0; g < groups; g++) {
      const first = `${origin}/search?q=${encodeURIComponent(`${PROBE} g${g}`)}`;
      for (let url: string | null = first; url; url = await nextHref('Next page')) {
        await render(url, 'search results');
        hits += await page.locator('.search-hit').count();
      }
    }
    expect(hits).toBe(threads.length);

    // The search API's own HTML: escaped text with <mark> only.
    for (let g = 0; g < groups; g++) {
      for (let p = 1; ; p++) {
        const answer = await author.ok<{ hits: { titleHtml: string; snippetHtml: string }[]; hasMore: boolean }>(
          'GET',
          `/search?q=${encodeURIComponent(`${PROBE} g${g}`)}&page=${p}`
        );
        for (const hit of answer.hits) {
          expect(hit.titleHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
          expect(hit.snippetHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
        }
        if (!answer.hasMore) break;
      }
    }

    expect(fired).toEqual([]);
    expect(pages).toBeGreaterThan(threads.length);
    console.log(`rendered ${pages} pages with ${XSS_PAYLOADS.length} payloads: nothing ran`);
    await tab.context.close();
  });
});

/** Installs the detector in the tab's context; returns the list every sign of a payload running goes to. */
async function watch(tab: MemberTab, origin: string): Promise<string[]> {
  const fired: string[] = [];
  await tab.context.exposeBinding('__xssReport', ({ frame }, what: string) => fired.push(`${what} at ${frame.url()}`));
  await tab.context.addInitScript({ content: DETECTOR });
  watchPage(tab.page, origin, fired);
  return fired;
}

/** Dialogs, requests to other hosts, frames sent elsewhere, console and script errors. */
function watchPage(page: Page, origin: string, fired: string[]): void {
  page.on('dialog', (dialog) => {
    fired.push(`${dialog.type()} dialog "${dialog.message()}" at ${page.url()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`)) fired.push(`request to ${request.url()} from ${page.url()}`);
  });
  page.on('framenavigated', (frame) => {
    if (!frame.url().startsWith(`${origin}/`)) fired.push(`a frame went to ${frame.url()} from ${page.url()}`);
  });
  page.on('pageerror', (error) => fired.push(`page error at ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') fired.push(`console error at ${page.url()}: ${message.text()}`);
  });
}
