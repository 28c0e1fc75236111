import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../server/shared/clock.ts';
import { call, type TestApp } from '../support/app.ts';
import { sessionCookie } from '../support/factories.ts';
import {
  auditOf,
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
let member: Signed;
let moderator: Signed;
let category: number;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
  member = await signedMember(t);
  moderator = await signedMember(t, { role: 'moderator' });
  category = await makeCategory(t, admin);
});
afterEach(async () => {
  await t.close();
});

const newThread = (who: Signed, body: Record<string, unknown>, categoryId = category) =>
  call(t.app, 'POST', `/api/discussions/categories/${categoryId}/threads`, { cookie: who.cookie, body });

describe('starting a thread', () => {
  it('creates the thread and its opening post, watches it, counts it, and publishes thread.created', async () => {
    const events = recordEvents(t);
    const res = await newThread(member, { title: '  Working with   NGOs on housing ', body: 'What has worked for **you**?' });
    expect(res.statusCode).toBe(201);
    const { threadId, postId } = res.json();
    const page = (await getJson(t, member, `/api/discussions/threads/${threadId}`)).json();
    expect(page.thread).toMatchObject({ title: 'Working with NGOs on housing', postCount: 1, notificationLevel: 'watching' });
    expect(page.posts[0]).toMatchObject({ id: postId, number: 1, html: '<p>What has worked for <strong>you</strong>?</p>' });
    expect(page.reading).toEqual({ lastReadNumber: 1, firstUnreadNumber: null });
    const categories = (await getJson(t, member, '/api/discussions/categories')).json().categories;
    expect(categories[0]).toMatchObject({ threadCount: 1, postCount: 1, lastPostAt: t.clock.now() });
    await t.deps.bus.idle();
    expect(events).toEqual([
      expect.objectContaining({
        type: 'thread.created',
        threadId,
        postId,
        categoryId: category,
        authorId: member.id,
        title: 'Working with NGOs on housing',
        excerpt: 'What has worked for you?'
      })
    ]);
  });

  it('refuses a title under 8 or over 200 characters, an empty or oversized body, and unknown fields', async () => {
    const short = await newThread(member, { title: 'Short', body: 'Body text' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toMatch(/8 to 200 characters/);
    expect((await newThread(member, { title: 'x'.repeat(201), body: 'Body text' })).statusCode).toBe(400);
    expect((await newThread(member, { title: 'Padded      ', body: 'Body text' })).statusCode).toBe(400);
    expect((await newThread(member, { title: 'A fine title here', body: '' })).statusCode).toBe(400);
    expect((await newThread(member, { title: 'A fine title here', body: 'x'.repeat(50_001) })).statusCode).toBe(400);
    const extra = await newThread(member, { title: 'A fine title here', body: 'Body', pinned: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.fields.pinned).toBeDefined();
    expect((await newThread(member, { title: 'A fine title here', body: 'Body' }, 999)).statusCode).toBe(404);
  });
});

describe('thread lists', () => {
  it('orders a category by latest activity, pages with a keyset cursor, and shows unread counts and "new"', async () => {
    const other = await signedMember(t);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await startThread(t, other, category, { title: `Thread number ${i} about practice` })).threadId);
      t.clock.advance(60_000);
    }
    // Activity on the oldest brings it to the top.
    await replyTo(t, other, ids[0]!, 'Bumping this with an answer.');
    const first = (await getJson(t, member, `/api/discussions/categories/${category}/threads?limit=2`)).json();
    expect(threadIds(first)).toEqual([ids[0], ids[4]]);
    expect(first.next).toMatch(/^\d+\.\d+$/);
    const second = (
      await getJson(t, member, `/api/discussions/categories/${category}/threads?limit=2&after=${first.next}`)
    ).json();
    expect(threadIds(second)).toEqual([ids[3], ids[2]]);
    const third = (
      await getJson(t, member, `/api/discussions/categories/${category}/threads?limit=2&after=${second.next}`)
    ).json();
    expect(threadIds(third)).toEqual([ids[1]]);
    expect(third.next).toBeNull();

    expect(first.threads[0]).toMatchObject({ postCount: 2, replyCount: 1, unreadCount: 2, isNew: true });
    // Reading up to post 1 leaves one unread.
    expect(
      (
        await call(t.app, 'POST', `/api/discussions/threads/${ids[0]}/read`, { cookie: member.cookie, body: { number: 1 } })
      ).json()
    ).toEqual({
      lastReadNumber: 1
    });
    const again = (await getJson(t, member, `/api/discussions/categories/${category}/threads?limit=1`)).json();
    expect(again.threads[0]).toMatchObject({ unreadCount: 1, isNew: false });
    // The author has read their own posts.
    const theirs = (await getJson(t, other, `/api/discussions/categories/${category}/threads?limit=1`)).json();
    expect(theirs.threads[0]).toMatchObject({ unreadCount: 0, isNew: false });

    const bad = await getJson(t, member, `/api/discussions/categories/${category}/threads?after=not-a-cursor`);
    expect(bad.statusCode).toBe(400);
  });

  it('"latest" spans every readable category, newest first, with the category of each thread', async () => {
    const second = await makeCategory(t, admin);
    const a = await startThread(t, member, category);
    t.clock.advance(1000);
    const b = await startThread(t, member, second);
    const latest = (await getJson(t, member, '/api/discussions/threads/latest')).json();
    expect(threadIds(latest)).toEqual([b.threadId, a.threadId]);
    expect(latest.threads[0].category).toMatchObject({ id: second });
  });

  it('opening a thread jumps to the first unread post; reading state never goes backwards', async () => {
    const { threadId } = await startThread(t, moderator, category);
    for (let i = 0; i < 24; i++) await replyTo(t, moderator, threadId, `Reply ${i + 2}`);
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/read`, { cookie: member.cookie, body: { number: 22 } });
    const page = (await getJson(t, member, `/api/discussions/threads/${threadId}?unread=true`)).json();
    expect(page.reading).toEqual({ lastReadNumber: 22, firstUnreadNumber: 23 });
    expect(page.posts.map((p: { number: number }) => p.number)).toEqual([23, 24, 25]);
    expect(page.page).toEqual({ before: 23, from: null });
    const earlier = (await getJson(t, member, `/api/discussions/threads/${threadId}?before=23&limit=5`)).json();
    expect(earlier.posts.map((p: { number: number }) => p.number)).toEqual([18, 19, 20, 21, 22]);
    const firstPage = (await getJson(t, member, `/api/discussions/threads/${threadId}`)).json();
    expect(firstPage.posts).toHaveLength(20);
    expect(firstPage.page).toEqual({ before: null, from: 21 });
    // A GET changed nothing; an older "read" report does not move the marker back.
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/read`, { cookie: member.cookie, body: { number: 3 } });
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}`)).json().reading.lastReadNumber).toBe(22);
    // Past the end is clamped to the last post.
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/read`, { cookie: member.cookie, body: { number: 999 } });
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}`)).json().reading).toEqual({
      lastReadNumber: 25,
      firstUnreadNumber: null
    });
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}?before=3&from=1`)).statusCode).toBe(400);
  });
});

describe('moderators: pin, lock, close, move, delete, restore', () => {
  it('pins in the category or globally, optionally until a date; the pin lapses by itself', async () => {
    const other = await makeCategory(t, admin);
    const a = await startThread(t, member, category);
    t.clock.advance(1000);
    const b = await startThread(t, member, category);
    t.clock.advance(1000);
    const c = await startThread(t, member, other);
    const pin = await call(t.app, 'POST', `/api/discussions/threads/${a.threadId}/pin`, {
      cookie: moderator.cookie,
      body: { scope: 'category', until: '2026-01-10' }
    });
    expect(pin.statusCode).toBe(200);
    let list = (await getJson(t, member, `/api/discussions/categories/${category}/threads`)).json();
    expect(list.pinned.map((p: { id: number }) => p.id)).toEqual([a.threadId]);
    expect(list.pinned[0].pinned).toEqual({ scope: 'category', until: Date.UTC(2026, 0, 10, 23, 59, 59, 999) });
    expect(threadIds({ threads: list.threads })).toEqual([b.threadId]);
    // A category pin does not lead "latest"; a global pin does.
    expect((await getJson(t, member, '/api/discussions/threads/latest')).json().pinned).toEqual([]);
    await call(t.app, 'POST', `/api/discussions/threads/${c.threadId}/pin`, {
      cookie: moderator.cookie,
      body: { scope: 'global', until: null }
    });
    const latest = (await getJson(t, member, '/api/discussions/threads/latest')).json();
    expect(latest.pinned.map((p: { id: number }) => p.id)).toEqual([c.threadId]);
    expect(threadIds({ threads: latest.threads })).not.toContain(c.threadId);
    // The date passes: the thread is back in the flow.
    t.clock.advance(6 * DAY);
    member = { ...member, cookie: sessionCookie(t, member.id) };
    moderator = { ...moderator, cookie: sessionCookie(t, moderator.id) };
    list = (await getJson(t, member, `/api/discussions/categories/${category}/threads`)).json();
    expect(list.pinned).toEqual([]);
    expect(threadIds(list)).toEqual([b.threadId, a.threadId]);
    const past = await call(t.app, 'POST', `/api/discussions/threads/${a.threadId}/pin`, {
      cookie: moderator.cookie,
      body: { scope: 'global', until: '2020-01-01' }
    });
    expect(past.statusCode).toBe(400);
    const unpin = await call(t.app, 'POST', `/api/discussions/threads/${c.threadId}/pin`, {
      cookie: moderator.cookie,
      body: { scope: null }
    });
    expect(unpin.statusCode).toBe(200);
    expect(auditOf(t, 'thread.pinned')).toHaveLength(2);
    expect(auditOf(t, 'thread.unpinned')).toEqual([
      expect.objectContaining({ actorId: moderator.id, targetId: String(c.threadId) })
    ]);
  });

  it('close stops members replying (moderators still can); lock freezes replies, edits and reactions', async () => {
    const { threadId, postId } = await startThread(t, member, category);
    const reader = await signedMember(t);
    expect(
      (
        await call(t.app, 'POST', `/api/discussions/threads/${threadId}/close`, {
          cookie: moderator.cookie,
          body: { closed: true }
        })
      ).statusCode
    ).toBe(200);
    const refused = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: reader.cookie,
      body: { body: 'Late reply' }
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/closed/);
    await replyTo(t, moderator, threadId, 'Closing note from the moderators.');
    expect((await getJson(t, reader, `/api/discussions/threads/${threadId}`)).json().thread).toMatchObject({
      closed: true,
      can: { reply: false }
    });
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/close`, {
      cookie: moderator.cookie,
      body: { closed: false }
    });
    await replyTo(t, reader, threadId, 'Now I can reply again.');

    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/lock`, { cookie: moderator.cookie, body: { locked: true } });
    expect(
      (
        await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, { cookie: reader.cookie, body: { body: 'x' } })
      ).json().error.message
    ).toMatch(/locked/);
    const edit = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: member.cookie,
      body: { body: 'Changed' }
    });
    expect(edit.statusCode).toBe(409);
    const reaction = await call(t.app, 'POST', `/api/discussions/posts/${postId}/reactions`, {
      cookie: reader.cookie,
      body: { kind: 'thanks' }
    });
    expect(reaction.statusCode).toBe(409);
    const again = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/lock`, {
      cookie: moderator.cookie,
      body: { locked: true }
    });
    expect(again.statusCode).toBe(409);
    expect(auditOf(t, 'thread.closed')).toHaveLength(1);
    expect(auditOf(t, 'thread.reopened')).toHaveLength(1);
    expect(auditOf(t, 'thread.locked')).toHaveLength(1);
  });

  it('moves a thread (counts follow) and deletes/restores it (lists and counts follow; moderators can still open it)', async () => {
    const events = recordEvents(t);
    const target = await makeCategory(t, admin);
    const { threadId } = await startThread(t, member, category);
    await replyTo(t, member, threadId, 'A reply.');
    const move = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/move`, {
      cookie: moderator.cookie,
      body: { categoryId: target }
    });
    expect(move.statusCode).toBe(200);
    const counts = () =>
      Object.fromEntries(
        (
          t.db.$client.prepare('SELECT id, thread_count AS t, post_count AS p FROM categories').all() as {
            id: number;
            t: number;
            p: number;
          }[]
        ).map((r) => [r.id, [r.t, r.p]])
      );
    expect(counts()).toEqual({ [category]: [0, 0], [target]: [1, 2] });
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}`)).json().thread.category.id).toBe(target);
    const same = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/move`, {
      cookie: moderator.cookie,
      body: { categoryId: target }
    });
    expect(same.statusCode).toBe(409);

    expect(
      (await call(t.app, 'POST', `/api/discussions/threads/${threadId}/delete`, { cookie: moderator.cookie })).statusCode
    ).toBe(200);
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}`)).statusCode).toBe(404);
    expect(threadIds((await getJson(t, member, `/api/discussions/categories/${target}/threads`)).json())).toEqual([]);
    expect(counts()[target]).toEqual([0, 0]);
    const asModerator = await getJson(t, moderator, `/api/discussions/threads/${threadId}`);
    expect(asModerator.json().thread.deleted).toBe(true);
    const deletedList = await getJson(t, moderator, `/api/discussions/categories/${target}/threads?view=deleted`);
    expect(threadIds(deletedList.json())).toEqual([threadId]);
    expect((await getJson(t, member, `/api/discussions/categories/${target}/threads?view=deleted`)).statusCode).toBe(403);

    expect(
      (await call(t.app, 'POST', `/api/discussions/threads/${threadId}/restore`, { cookie: moderator.cookie })).statusCode
    ).toBe(200);
    expect((await getJson(t, member, `/api/discussions/threads/${threadId}`)).statusCode).toBe(200);
    expect(counts()[target]).toEqual([1, 2]);
    expect(auditOf(t, 'thread.moved')[0]!.detail).toMatchObject({ fromCategoryId: category, toCategoryId: target });
    expect(auditOf(t, 'thread.deleted')).toHaveLength(1);
    expect(auditOf(t, 'thread.restored')).toHaveLength(1);
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'thread.moderated').map((e) => (e as { action: string }).action)).toEqual([
      'moved',
      'deleted',
      'restored'
    ]);
  });

  it('members cannot use the moderators’ actions', async () => {
    const { threadId } = await startThread(t, member, category);
    for (const [path, body] of [
      ['pin', { scope: 'global', until: null }],
      ['lock', { locked: true }],
      ['close', { closed: true }],
      ['move', { categoryId: category }],
      ['delete', undefined],
      ['restore', undefined]
    ] as const) {
      const res = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/${path}`, { cookie: member.cookie, body });
      expect(res.statusCode, path).toBe(403);
    }
  });
});

describe('rate limits', () => {
  it('one post per 5 seconds, with Retry-After and a clear message; a refused body does not count', async () => {
    const limited = await discussionsApp({ POST_INTERVAL_SECONDS: '5' });
    try {
      const a = await signedMember(limited, { role: 'admin' });
      const cat = await makeCategory(limited, a);
      const m = await signedMember(limited);
      const { threadId } = await startThread(limited, m, cat);
      const second = await call(limited.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
        cookie: m.cookie,
        body: { body: 'Too fast' }
      });
      expect(second.statusCode).toBe(429);
      expect(second.headers['retry-after']).toBe('5');
      expect(second.json().error.message).toMatch(/posting too quickly: you can post again in 5 seconds/);
      limited.clock.advance(5000);
      // A body the privacy guard stops does not use up the interval.
      const guarded = await call(limited.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
        cookie: m.cookie,
        body: { body: 'SSN 123-45-6789' }
      });
      expect(guarded.statusCode).toBe(422);
      const ok = await call(limited.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
        cookie: m.cookie,
        body: { body: 'Now fine' }
      });
      expect(ok.statusCode).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('at most THREADS_PER_DAY new threads per 24 hours', async () => {
    const limited = await discussionsApp({ THREADS_PER_DAY: '3' });
    try {
      const a = await signedMember(limited, { role: 'admin' });
      const cat = await makeCategory(limited, a);
      const m = await signedMember(limited);
      const fresh = () => ({ ...m, cookie: sessionCookie(limited, m.id) });
      for (let i = 0; i < 3; i++) {
        await startThread(limited, fresh(), cat);
        limited.clock.advance(HOUR);
      }
      const fourth = await call(limited.app, 'POST', `/api/discussions/categories/${cat}/threads`, {
        cookie: fresh().cookie,
        body: { title: 'One thread too many today', body: 'Body' }
      });
      expect(fourth.statusCode).toBe(429);
      expect(fourth.json().error.message).toMatch(/started 3 threads in the last 24 hours/);
      expect(Number(fourth.headers['retry-after'])).toBe(21 * 3600);
      // Replies are not threads.
      await replyTo(limited, fresh(), 1, 'A reply is still fine.');
      limited.clock.advance(21 * HOUR);
      await startThread(limited, fresh(), cat);
    } finally {
      await limited.close();
    }
  });
});
