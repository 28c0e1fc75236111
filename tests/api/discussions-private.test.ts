import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memberCanReadCategory } from '../../server/modules/discussions/access.ts';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce } from '../support/factories.ts';
import {
  discussionsApp,
  getJson,
  makeCategory,
  recordEvents,
  replyTo,
  signedMember,
  startThread,
  threadIds,
  type Signed
} from '../support/discussions.ts';

let t: TestApp;
let admin: Signed;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
});
afterEach(async () => {
  await t.close();
});

describe('private through every door', () => {
  it('an outsider cannot reach a private category by any door, even things they touched while it was public', async () => {
    const events = recordEvents(t);
    const houston = createTaskForce(t, { name: 'Houston Area Task Force' });
    const insider = await signedMember(t, { name: 'Ines Insider', taskForceId: houston.id });
    const outsider = await signedMember(t, { name: 'Oscar Outsider' });
    // A category that starts public: the outsider takes part, bookmarks and drafts...
    const category = await makeCategory(t, admin, { name: 'Houston casework' });
    const { threadId, postId } = await startThread(t, insider, category, {
      title: 'Houston hotel sweep debrief',
      body: 'Debrief notes about the zucchini operation.'
    });
    const own = await replyTo(t, outsider, threadId, 'My zucchini question.');
    await call(t.app, 'POST', `/api/discussions/posts/${postId}/bookmark`, {
      cookie: outsider.cookie,
      body: { bookmarked: true }
    });
    await call(t.app, 'PUT', `/api/discussions/threads/${threadId}/draft`, {
      cookie: outsider.cookie,
      body: { body: 'Draft reply' }
    });
    await call(t.app, 'PUT', `/api/discussions/categories/${category}/draft`, {
      cookie: outsider.cookie,
      body: { title: 'x', body: 'Draft' }
    });
    expect((await getJson(t, outsider, '/api/discussions/bookmarks')).json().bookmarks).toHaveLength(1);

    // ...then the admin makes it private to Houston.
    const made = await call(t.app, 'PATCH', `/api/admin/categories/${category}`, {
      cookie: admin.cookie,
      body: {
        name: 'Houston casework',
        description: 'Houston only',
        position: 1,
        colour: '#225588',
        taskForceIds: [houston.id],
        disciplines: []
      }
    });
    expect(made.statusCode).toBe(200);
    const publicCategory = await makeCategory(t, admin, { name: 'Everyone' });
    await startThread(t, insider, publicCategory, { title: 'A public thread for all', body: 'Open zucchini talk.' });

    const doors: [
      string,
      Promise<{ statusCode: number; body: string; json(): unknown }>,
      (res: { statusCode: number; json(): unknown }) => void
    ][] = [];
    const door = (
      name: string,
      request: Promise<{ statusCode: number; body: string; json(): unknown }>,
      check: (res: { statusCode: number; json(): unknown }) => void
    ) => doors.push([name, request, check]);
    const is404 = (res: { statusCode: number }) => expect(res.statusCode).toBe(404);
    const get = (url: string) => getJson(t, outsider, url);
    const post = (url: string, body?: unknown) => call(t.app, 'POST', url, { cookie: outsider.cookie, body });

    // Reading doors.
    door('category list', get('/api/discussions/categories'), (res) => {
      const list = (res.json() as { categories: { id: number; name: string }[] }).categories;
      expect(list.map((c) => c.id)).toEqual([publicCategory]);
      expect(JSON.stringify(list)).not.toContain('Houston');
    });
    door('category threads by URL', get(`/api/discussions/categories/${category}/threads`), is404);
    door('latest threads', get('/api/discussions/threads/latest'), (res) => {
      expect(threadIds(res.json() as { threads: { id: number }[] })).not.toContain(threadId);
      expect(JSON.stringify(res.json())).not.toContain('Houston hotel');
    });
    door('thread page by URL', get(`/api/discussions/threads/${threadId}`), is404);
    door('thread page from the first unread', get(`/api/discussions/threads/${threadId}?unread=true`), is404);
    door('a post by id', get(`/api/discussions/posts/${postId}`), is404);
    door('their own old post by id', get(`/api/discussions/posts/${own.postId}`), is404);
    door('revisions', get(`/api/discussions/posts/${own.postId}/revisions`), is404);
    door('who reacted', get(`/api/discussions/posts/${postId}/reactions`), is404);
    door('search', get('/api/search?q=zucchini'), (res) => {
      const hits = (res.json() as { hits: { threadId: number }[] }).hits;
      expect(hits.map((h) => h.threadId)).not.toContain(threadId);
      expect(hits).toHaveLength(1);
    });
    door('search in the category', get(`/api/search?q=zucchini&categoryId=${category}`), (res) =>
      expect((res.json() as { hits: unknown[] }).hits).toEqual([])
    );
    door('search of "my threads" by title', get('/api/search?q=Houston%20hotel&mine=true'), (res) =>
      expect((res.json() as { hits: unknown[] }).hits).toEqual([])
    );
    door('mention autocomplete (thread)', get(`/api/discussions/mention-candidates?q=ines&threadId=${threadId}`), is404);
    door('mention autocomplete (category)', get(`/api/discussions/mention-candidates?q=ines&categoryId=${category}`), is404);
    door('bookmarks of a thread that became private', get('/api/discussions/bookmarks'), (res) =>
      expect((res.json() as { bookmarks: unknown[] }).bookmarks).toEqual([])
    );
    door('reply draft', get(`/api/discussions/threads/${threadId}/draft`), is404);
    door('new-thread draft', get(`/api/discussions/categories/${category}/draft`), is404);
    // Writing doors.
    door('reply', post(`/api/discussions/threads/${threadId}/posts`, { body: 'Let me in' }), is404);
    door(
      'new thread',
      post(`/api/discussions/categories/${category}/threads`, { title: 'Trying the side door', body: 'x' }),
      is404
    );
    door(
      'edit own old post',
      call(t.app, 'PATCH', `/api/discussions/posts/${own.postId}`, { cookie: outsider.cookie, body: { body: 'edit' } }),
      is404
    );
    door('delete own old post', post(`/api/discussions/posts/${own.postId}/delete`), is404);
    door('react', post(`/api/discussions/posts/${postId}/reactions`, { kind: 'thanks' }), is404);
    door('bookmark', post(`/api/discussions/posts/${postId}/bookmark`, { bookmarked: true }), is404);
    door('flag', post(`/api/discussions/posts/${postId}/flag`, { reason: 'pii' }), is404);
    door('mark read', post(`/api/discussions/threads/${threadId}/read`, { number: 1 }), is404);
    door(
      'thread notification level',
      post(`/api/discussions/threads/${threadId}/notification-level`, { level: 'watching' }),
      is404
    );
    door(
      'category notification level',
      post(`/api/discussions/categories/${category}/notification-level`, { level: 'watching' }),
      is404
    );
    door(
      'save reply draft',
      call(t.app, 'PUT', `/api/discussions/threads/${threadId}/draft`, { cookie: outsider.cookie, body: { body: 'x' } }),
      is404
    );
    door(
      'discard new-thread draft',
      call(t.app, 'DELETE', `/api/discussions/categories/${category}/draft`, { cookie: outsider.cookie }),
      is404
    );

    for (const [name, request, check] of doors) {
      const res = await request;
      try {
        check(res);
      } catch (err) {
        throw new Error(`door "${name}": ${res.statusCode} ${res.body.slice(0, 200)}\n${String(err)}`, { cause: err });
      }
    }
    expect(doors.length).toBeGreaterThanOrEqual(29);

    // The 404s say the same thing whether the thread exists or not: existence is not revealed.
    const missing = await get('/api/discussions/threads/999999');
    expect((await get(`/api/discussions/threads/${threadId}`)).json()).toEqual(missing.json());

    // Notifications: a mention of the outsider is not delivered; the audience rule says no.
    await replyTo(t, insider, threadId, `Should we ask @[Oscar](member:${outsider.id})?`);
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'member.mentioned')).toEqual([]);
    expect(memberCanReadCategory(t.db, outsider.id, category)).toBe(false);
    expect(memberCanReadCategory(t.db, insider.id, category)).toBe(true);

    // The insider still walks through every door, and the autocomplete does not offer the outsider.
    expect((await getJson(t, insider, `/api/discussions/threads/${threadId}`)).statusCode).toBe(200);
    const names = (await getJson(t, insider, `/api/discussions/mention-candidates?q=o&threadId=${threadId}`)).json().members;
    expect(names.map((m: { id: number }) => m.id)).not.toContain(outsider.id);
    // Moderators moderate everything.
    const moderator = await signedMember(t, { role: 'moderator' });
    expect((await getJson(t, moderator, `/api/discussions/threads/${threadId}`)).statusCode).toBe(200);
  });

  it('a discipline audience works the same way, and an insider whose membership ends loses access', async () => {
    const prosecutor = await signedMember(t, { discipline: 'prosecution' });
    const officer = await signedMember(t, { discipline: 'law_enforcement' });
    const category = await makeCategory(t, admin, { name: 'Prosecutors only', disciplines: ['prosecution'] });
    const { threadId } = await startThread(t, prosecutor, category);
    expect((await getJson(t, officer, `/api/discussions/threads/${threadId}`)).statusCode).toBe(404);
    expect((await getJson(t, prosecutor, `/api/discussions/threads/${threadId}`)).statusCode).toBe(200);
    t.db.$client.prepare("UPDATE members SET status = 'suspended' WHERE id = ?").run(prosecutor.id);
    expect((await getJson(t, prosecutor, `/api/discussions/threads/${threadId}`)).statusCode).toBe(401);
    expect(memberCanReadCategory(t.db, prosecutor.id, category)).toBe(false);
  });
});
