import { expect } from 'vitest';
import type { Discipline } from '../../db/schema/index.ts';
import type { DomainEvent } from '../../server/events/types.ts';
import { call, makeApp, type TestApp } from './app.ts';
import { createMember, sessionCookie, type MemberOptions, type TestMember } from './factories.ts';

/** An app for discussion tests: the posting interval is off unless a test turns it on. */
export function discussionsApp(env: Record<string, string> = {}): Promise<TestApp> {
  return makeApp({ env: { POST_INTERVAL_SECONDS: '0', ...env } });
}

export interface Signed extends TestMember {
  cookie: string;
}

/** A member (admin, moderator… by role) with a session cookie. */
export async function signedMember(t: TestApp, opts: MemberOptions = {}): Promise<Signed> {
  const member = await createMember(t, opts);
  return { ...member, cookie: sessionCookie(t, member.id) };
}

let categoryCounter = 0;

export interface CategoryOptions {
  name?: string;
  description?: string;
  position?: number;
  colour?: string;
  taskForceIds?: number[];
  disciplines?: Discipline[];
}

/** A category made through the admin API (the way an admin makes one). */
export async function makeCategory(t: TestApp, admin: Signed, opts: CategoryOptions = {}): Promise<number> {
  categoryCounter++;
  const res = await call(t.app, 'POST', '/api/admin/categories', {
    cookie: admin.cookie,
    body: {
      name: opts.name ?? `Practice category ${categoryCounter}`,
      description: opts.description ?? 'Questions and answers from the field.',
      position: opts.position ?? categoryCounter,
      colour: opts.colour ?? '#1f5f8b',
      taskForceIds: opts.taskForceIds ?? [],
      disciplines: opts.disciplines ?? []
    }
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as number;
}

export async function startThread(
  t: TestApp,
  who: Signed,
  categoryId: number,
  content: { title?: string; body?: string; confirmPrivacy?: boolean } = {}
): Promise<{ threadId: number; postId: number }> {
  const res = await call(t.app, 'POST', `/api/discussions/categories/${categoryId}/threads`, {
    cookie: who.cookie,
    body: {
      title: content.title ?? 'How do you approach labor trafficking interviews?',
      body: content.body ?? 'Looking for practice tips from other task forces.',
      ...(content.confirmPrivacy !== undefined ? { confirmPrivacy: content.confirmPrivacy } : {})
    }
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function replyTo(
  t: TestApp,
  who: Signed,
  threadId: number,
  body: string,
  extra: { quotePostId?: number; confirmPrivacy?: boolean } = {}
): Promise<{ postId: number; number: number }> {
  const res = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
    cookie: who.cookie,
    body: { body, ...extra }
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export function getJson(t: TestApp, who: Signed, url: string) {
  return call(t.app, 'GET', url, { cookie: who.cookie });
}

/** Ids of the threads in a list reply (pinned and unpinned). */
export function threadIds(body: { pinned?: { id: number }[]; threads: { id: number }[] }): number[] {
  return [...(body.pinned ?? []), ...body.threads].map((th) => th.id);
}

const DISCUSSION_EVENTS = [
  'thread.created',
  'post.created',
  'post.edited',
  'member.mentioned',
  'post.reacted',
  'post.deleted',
  'post.restored',
  'post.flagged',
  'post.hidden',
  'post.purged',
  'moderation.outcome',
  'thread.moderated'
] as const;

/** Every discussion event published from now on (call t.deps.bus.idle() before reading). */
export function recordEvents(t: TestApp): DomainEvent[] {
  const seen: DomainEvent[] = [];
  for (const type of DISCUSSION_EVENTS) t.deps.bus.on(type, (e) => void seen.push(e));
  return seen;
}

/** Audit rows of one action, with their detail parsed. */
export function auditOf(t: TestApp, action: string) {
  return (
    t.db.$client
      .prepare(
        'SELECT actor_id AS actorId, target_type AS targetType, target_id AS targetId, detail FROM audit_log WHERE action = ? ORDER BY id'
      )
      .all(action) as {
      actorId: number | null;
      targetType: string | null;
      targetId: string | null;
      detail: string | null;
    }[]
  ).map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null }));
}

/** The objects the authorization matrix tries discussion routes on. */
export interface MatrixForum {
  publicCategory: number;
  /** Private to task force A ('own', the matrix coordinator's) and to task force B ('other'). */
  category: { own: number; other: number };
  thread: { own: number; other: number };
  /** A reply by a member other than the caller, in each private thread. */
  post: { own: number; other: number };
}

export const MATRIX_NAMES = {
  public: 'Matrix public category',
  own: 'Matrix task force A category',
  other: 'Matrix task force B category'
} as const;

/** Builds the matrix's forum through the API, as an admin and one member of each task force would. */
export async function buildMatrixForum(t: TestApp, taskForceA: number, taskForceB: number): Promise<MatrixForum> {
  const admin = await signedMember(t, { role: 'admin' });
  const inA = await signedMember(t, { taskForceId: taskForceA });
  const inB = await signedMember(t, { taskForceId: taskForceB });
  const publicCategory = await makeCategory(t, admin, { name: MATRIX_NAMES.public });
  const own = await makeCategory(t, admin, { name: MATRIX_NAMES.own, taskForceIds: [taskForceA] });
  const other = await makeCategory(t, admin, { name: MATRIX_NAMES.other, taskForceIds: [taskForceB] });
  const threads: number[] = [];
  const posts: number[] = [];
  for (const [categoryId, name, replier] of [
    [publicCategory, MATRIX_NAMES.public, inA],
    [own, MATRIX_NAMES.own, inA],
    [other, MATRIX_NAMES.other, inB]
  ] as const) {
    // One post per member per POST_INTERVAL_SECONDS.
    t.clock.advance(t.config.postIntervalSeconds * 1000);
    const { threadId } = await startThread(t, admin, categoryId, {
      title: `Thread in the ${name}`,
      body: 'Matrix practice question.'
    });
    threads.push(threadId);
    posts.push((await replyTo(t, replier, threadId, 'Matrix practice answer.')).postId);
  }
  return {
    publicCategory,
    category: { own, other },
    thread: { own: threads[1]!, other: threads[2]! },
    post: { own: posts[1]!, other: posts[2]! }
  };
}

/** A reply by `authorId` written straight to the database (a member may own a post in a category they can no longer read). */
export function insertReply(t: TestApp, threadId: number, authorId: number, body = 'A reply of my own.'): number {
  const db = t.db.$client;
  const now = t.clock.now();
  return db.transaction(() => {
    const { n } = db.prepare('SELECT last_post_number + 1 AS n FROM threads WHERE id = ?').get(threadId) as { n: number };
    const { id } = db.prepare('SELECT coalesce(max(id), 0) + 1 AS id FROM posts').get() as { id: number };
    db.prepare(
      'INSERT INTO posts (thread_id, number, id, author_id, body, body_html, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
    ).run(threadId, n, id, authorId, body, `<p>${body}</p>`, now);
    db.prepare('UPDATE threads SET last_post_number = ?, post_count = post_count + 1 WHERE id = ?').run(n, threadId);
    db.prepare('INSERT INTO post_search (rowid, title, body) VALUES (?, ?, ?)').run(id, '', body);
    return id;
  })();
}
