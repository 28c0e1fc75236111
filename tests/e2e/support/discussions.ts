import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { openTab, type Tab } from './browser.ts';
import type { SeededMember } from './seed.ts';

/**
 * Discussion fixtures made the way members make them: through the API with a member's own session.
 * Signing in through the API (not the sign-in page, which other suites cover) keeps each test to
 * one sign-in per member, well inside the per-address sign-in throttle and the one-TOTP-per-step rule.
 */

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  data: T;
}

export interface MemberApi {
  get<T = Record<string, unknown>>(path: string, query?: Record<string, string | number | boolean>): Promise<ApiAnswer<T>>;
  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  patch<T = Record<string, unknown>>(path: string, body: unknown): Promise<ApiAnswer<T>>;
  /** As `get`/`post`, but throws with the API's message unless the answer is 2xx. */
  ok<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T>;
}

export function memberApi(request: APIRequestContext, origin: string): MemberApi {
  async function call<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean>) {
    const res = await request.fetch(`${origin}/api${path}`, {
      method,
      params: query,
      // The API refuses state-changing requests without the site's own Origin.
      headers: method === 'GET' ? {} : { origin },
      data: method === 'GET' ? undefined : (body ?? {})
    });
    const text = await res.text();
    return { status: res.status(), data: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    get: (path, query) => call('GET', path, undefined, query),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
    async ok(method, path, body) {
      const answer = await call<Record<string, unknown>>(method, path, body);
      if (answer.status >= 300)
        throw new Error(`${method} /api${path} answered ${answer.status}: ${JSON.stringify(answer.data)}`);
      return answer.data as never;
    }
  };
}

/** Signs `who` in on this request context (its cookies are the browser context's, if it has one). */
export async function signInApi(request: APIRequestContext, origin: string, who: SeededMember): Promise<MemberApi> {
  const api = memberApi(request, origin);
  const first = await api.post<{ next?: string }>('/auth/sign-in', { email: who.email, password: who.password });
  if (first.status !== 200) throw new Error(`sign-in of ${who.email} answered ${first.status}: ${JSON.stringify(first.data)}`);
  if (first.data.next === 'mfa') {
    const second = await api.post('/auth/mfa', { code: who.code() });
    if (second.status !== 200)
      throw new Error(`second step of ${who.email} answered ${second.status}: ${JSON.stringify(second.data)}`);
  }
  return api;
}

/** A signed-in API client with no browser (for setting up fixtures). */
export async function apiSession(origin: string, who: SeededMember): Promise<{ api: MemberApi; close(): Promise<void> }> {
  const request = await playwrightRequest.newContext();
  return { api: await signInApi(request, origin, who), close: () => request.dispose() };
}

export interface MemberTab extends Tab {
  api: MemberApi;
}

/** A browser context of its own, signed in as `who`; `api` shares its cookies. */
export async function signedInTab(
  browser: Browser,
  origin: string,
  who: SeededMember,
  options: Parameters<Browser['newContext']>[0] = {}
): Promise<MemberTab> {
  const tab = await openTab(browser, options);
  const api = await signInApi(tab.context.request, origin, who);
  return { ...tab, api };
}

export interface CategoryInput {
  name: string;
  description?: string;
  position?: number;
  colour?: string;
  taskForceIds?: number[];
  disciplines?: string[];
}

/** An administrator adds a category (public unless task forces or disciplines are given). */
export async function createCategory(admin: MemberApi, input: CategoryInput): Promise<number> {
  const made = await admin.ok<{ id: number }>('POST', '/admin/categories', {
    description: '',
    position: 10,
    colour: '#1d3f6e',
    taskForceIds: [],
    disciplines: [],
    ...input
  });
  return made.id;
}

/** Starts a thread; the privacy guard is confirmed up front (fixtures are fictional by construction). */
export async function startThread(
  member: MemberApi,
  categoryId: number,
  title: string,
  body: string
): Promise<{ threadId: number; postId: number }> {
  return member.ok('POST', `/discussions/categories/${categoryId}/threads`, { title, body, confirmPrivacy: true });
}

export async function replyTo(member: MemberApi, threadId: number, body: string): Promise<{ postId: number; number: number }> {
  return member.ok('POST', `/discussions/threads/${threadId}/posts`, { body, confirmPrivacy: true });
}

export interface ApiPost {
  id: number;
  number: number;
  status: 'visible' | 'hidden' | 'deleted';
  html: string | null;
}

/** Every post of a thread as `member` may read it, page by page through the API. */
export async function allPosts(member: MemberApi, threadId: number): Promise<ApiPost[]> {
  const posts: ApiPost[] = [];
  let from = 1;
  for (;;) {
    const page = await member.ok<{ posts: ApiPost[]; page: { from: number | null } }>(
      'GET',
      `/discussions/threads/${threadId}?from=${from}&limit=50`
    );
    posts.push(...page.posts);
    if (page.page.from === null || page.posts.length === 0) return posts;
    from = page.page.from;
  }
}

/** The thread id in a /discussions/t/<id> address. */
export function threadIdOf(page: Page): number {
  const match = /\/discussions\/t\/(\d+)/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a thread page: ${page.url()}`);
  return Number(match[1]);
}

/** Selects `phrase` inside the first element matching `selector`, as a reader dragging over it would. */
export async function selectText(page: Page, selector: string, phrase: string): Promise<void> {
  const found = await page.evaluate(
    ({ selector, phrase }) => {
      const root = document.querySelector(selector);
      if (!root) return false;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent?.indexOf(phrase) ?? -1;
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + phrase.length);
        const selection = window.getSelection()!;
        selection.removeAllRanges();
        selection.addRange(range);
        return true;
      }
      return false;
    },
    { selector, phrase }
  );
  if (!found) throw new Error(`"${phrase}" is not in ${selector} at ${page.url()}`);
}

/**
 * Answers of 400 and above the page received, as "METHOD path → status": the browser's console
 * only says "Failed to load resource", without saying which.
 */
export function failedRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const url = new URL(response.url());
    failed.push(
      `${response.request().method()} ${url.pathname}${url.search} → ${response.status()} (page ${new URL(page.url()).pathname})`
    );
  });
  return failed;
}
