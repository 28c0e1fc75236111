import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce } from '../support/factories.ts';
import {
  auditOf,
  discussionsApp,
  getJson,
  makeCategory,
  recordEvents,
  replyTo,
  signedMember,
  startThread,
  type Signed
} from '../support/discussions.ts';

let t: TestApp;
let admin: Signed;
let alice: Signed;
let bob: Signed;
let moderator: Signed;
let category: number;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
  alice = await signedMember(t, { name: 'Alice Moreno' });
  bob = await signedMember(t, { name: 'Bob Okafor' });
  moderator = await signedMember(t, { role: 'moderator' });
  category = await makeCategory(t, admin);
});
afterEach(async () => {
  await t.close();
});

const page = async (who: Signed, threadId: number, query = '') =>
  (await getJson(t, who, `/api/discussions/threads/${threadId}${query}`)).json();

describe('replies and quotes', () => {
  it('replies, quotes a post of the thread by id, and publishes post.created with the quoted author', async () => {
    const events = recordEvents(t);
    const { threadId, postId } = await startThread(t, alice, category);
    const quoted = await replyTo(t, bob, threadId, '> Looking for practice tips\n\nHere is one: go slowly.', {
      quotePostId: postId
    });
    expect(quoted.number).toBe(2);
    const view = await page(alice, threadId);
    expect(view.posts[1]).toMatchObject({
      number: 2,
      quote: { postId, number: 1, threadId, authorName: 'Alice Moreno' },
      html: '<blockquote>\n<p>Looking for practice tips</p>\n</blockquote>\n<p>Here is one: go slowly.</p>'
    });
    await t.deps.bus.idle();
    expect(events.find((e) => e.type === 'post.created')).toMatchObject({
      postId: quoted.postId,
      threadId,
      categoryId: category,
      number: 2,
      authorId: bob.id,
      quotedPostId: postId,
      quotedAuthorId: alice.id,
      excerpt: 'Looking for practice tips Here is one: go slowly.'
    });
    // Replying watches the thread.
    expect(view.thread.notificationLevel).toBe('watching');
    expect((await page(bob, threadId)).thread.notificationLevel).toBe('watching');
  });

  it('refuses a quote of a post from another thread, or of a deleted one', async () => {
    const one = await startThread(t, alice, category);
    const two = await startThread(t, alice, category);
    const res = await call(t.app, 'POST', `/api/discussions/threads/${two.threadId}/posts`, {
      cookie: bob.cookie,
      body: { body: '> quote', quotePostId: one.postId }
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.quotePostId).toBeDefined();
    const reply = await replyTo(t, bob, one.threadId, 'to be deleted');
    await call(t.app, 'POST', `/api/discussions/posts/${reply.postId}/delete`, { cookie: bob.cookie });
    const again = await call(t.app, 'POST', `/api/discussions/threads/${one.threadId}/posts`, {
      cookie: alice.cookie,
      body: { body: '> quote', quotePostId: reply.postId }
    });
    expect(again.statusCode).toBe(400);
  });
});

describe('editing', () => {
  it('keeps revisions (author and moderators only), marks the post edited, and can retitle from the opening post', async () => {
    const events = recordEvents(t);
    const { threadId, postId } = await startThread(t, alice, category, { title: 'Original thread title', body: 'First version' });
    t.clock.advance(60_000);
    const edit = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: alice.cookie,
      body: { body: 'Second version', title: 'Better thread title' }
    });
    expect(edit.statusCode).toBe(200);
    expect(edit.json()).toEqual({ edited: true });
    const view = await page(bob, threadId);
    expect(view.thread.title).toBe('Better thread title');
    expect(view.posts[0]).toMatchObject({ html: '<p>Second version</p>', editedAt: t.clock.now() });
    expect(view.posts[0].can.viewRevisions).toBe(false);

    const mine = await getJson(t, alice, `/api/discussions/posts/${postId}/revisions`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().revisions).toEqual([
      expect.objectContaining({ title: 'Original thread title', body: 'First version', editedById: alice.id })
    ]);
    expect((await getJson(t, moderator, `/api/discussions/posts/${postId}/revisions`)).statusCode).toBe(200);
    expect((await getJson(t, bob, `/api/discussions/posts/${postId}/revisions`)).statusCode).toBe(403);

    // The Markdown source goes to the author (the edit form), not to other members.
    expect((await getJson(t, alice, `/api/discussions/posts/${postId}`)).json().source).toBe('Second version');
    expect((await getJson(t, bob, `/api/discussions/posts/${postId}`)).json().source).toBeNull();

    // The same text again is not a new revision.
    const same = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: alice.cookie,
      body: { body: 'Second version' }
    });
    expect(same.json()).toEqual({ edited: false });
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'post.edited')).toHaveLength(1);
  });

  it('only the author edits; a title only on the opening post', async () => {
    const { threadId, postId } = await startThread(t, alice, category);
    const other = await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: bob.cookie,
      body: { body: 'Hijack' }
    });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toMatch(/own posts/);
    const reply = await replyTo(t, bob, threadId, 'A reply');
    const titled = await call(t.app, 'PATCH', `/api/discussions/posts/${reply.postId}`, {
      cookie: bob.cookie,
      body: { body: 'A reply', title: 'Replies have no title' }
    });
    expect(titled.statusCode).toBe(400);
    // Moderators edit through the moderation outcome, not as authors.
    expect(
      (await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, { cookie: moderator.cookie, body: { body: 'x' } }))
        .statusCode
    ).toBe(403);
  });
});

describe('deleting own posts', () => {
  it('soft-deletes: the post keeps its place without its text; counts follow; the opening post stays', async () => {
    const { threadId, postId } = await startThread(t, alice, category);
    const reply = await replyTo(t, bob, threadId, 'I will take this back');
    expect(
      (await call(t.app, 'POST', `/api/discussions/posts/${reply.postId}/delete`, { cookie: alice.cookie })).statusCode
    ).toBe(403);
    expect((await call(t.app, 'POST', `/api/discussions/posts/${reply.postId}/delete`, { cookie: bob.cookie })).statusCode).toBe(
      200
    );
    const view = await page(alice, threadId);
    expect(view.posts[1]).toMatchObject({ status: 'deleted', html: null });
    expect(view.thread.postCount).toBe(1);
    expect((await page(moderator, threadId)).posts[1].html).toBe('<p>I will take this back</p>');
    const opening = await call(t.app, 'POST', `/api/discussions/posts/${postId}/delete`, { cookie: alice.cookie });
    expect(opening.statusCode).toBe(409);
    expect((await call(t.app, 'POST', `/api/discussions/posts/${reply.postId}/delete`, { cookie: bob.cookie })).statusCode).toBe(
      409
    );

    // A moderator may delete anyone's reply (audited) and restore it.
    const other = await replyTo(t, bob, threadId, 'Off topic');
    expect(
      (await call(t.app, 'POST', `/api/discussions/posts/${other.postId}/delete`, { cookie: moderator.cookie })).statusCode
    ).toBe(200);
    expect(auditOf(t, 'post.deleted_by_moderator')).toEqual([
      expect.objectContaining({ actorId: moderator.id, targetId: String(other.postId) })
    ]);
    expect(
      (await call(t.app, 'POST', `/api/discussions/posts/${other.postId}/restore`, { cookie: alice.cookie })).statusCode
    ).toBe(403);
    expect(
      (await call(t.app, 'POST', `/api/discussions/posts/${other.postId}/restore`, { cookie: moderator.cookie })).statusCode
    ).toBe(200);
    expect((await page(alice, threadId)).posts[2]).toMatchObject({ status: 'visible', html: '<p>Off topic</p>' });
  });
});

describe('mentions', () => {
  it('resolve by id to the current name; only members who can read the thread are told', async () => {
    const events = recordEvents(t);
    const tf = createTaskForce(t);
    const insider = await signedMember(t, { name: 'Ines Insider', taskForceId: tf.id });
    const outsider = await signedMember(t, { name: 'Oscar Outsider' });
    const privateCategory = await makeCategory(t, admin, { taskForceIds: [tf.id] });
    const { threadId } = await startThread(t, insider, privateCategory);
    const body = `Thoughts @[Somebody](member:${outsider.id}) and @[X](member:${moderator.id}) and @[me](member:${insider.id})?`;
    const { postId } = await replyTo(t, insider, threadId, body);
    const html = (await page(insider, threadId)).posts[1].html;
    expect(html).toContain(`<a href="/members/${outsider.id}" rel="noopener nofollow ugc" class="mention">@Oscar Outsider</a>`);
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'member.mentioned')).toEqual([
      { type: 'member.mentioned', memberId: moderator.id, postId, threadId, categoryId: privateCategory, byMemberId: insider.id }
    ]);
  });

  it('at most 10 distinct members per post', async () => {
    const { threadId } = await startThread(t, alice, category);
    const eleven = Array.from({ length: 11 }, (_, i) => `@[M${i}](member:${100 + i})`).join(' ');
    const res = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: bob.cookie,
      body: { body: eleven }
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/at most 10 members/);
    const repeated = Array.from({ length: 12 }, () => `@[Alice](member:${alice.id})`).join(' ');
    expect(
      (await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, { cookie: bob.cookie, body: { body: repeated } }))
        .statusCode
    ).toBe(201);
  });

  it('an edit that adds a mention tells only the newly mentioned', async () => {
    const events = recordEvents(t);
    const { threadId } = await startThread(t, alice, category);
    const reply = await replyTo(t, bob, threadId, `cc @[A](member:${alice.id})`);
    await call(t.app, 'PATCH', `/api/discussions/posts/${reply.postId}`, {
      cookie: bob.cookie,
      body: { body: `cc @[A](member:${alice.id}) @[M](member:${moderator.id})` }
    });
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'member.mentioned').map((e) => (e as { memberId: number }).memberId)).toEqual([
      alice.id,
      moderator.id
    ]);
  });

  it('autocomplete lists active members who can read, by the start of any name, with the text to insert', async () => {
    const tf = createTaskForce(t);
    const insider = await signedMember(t, { name: 'Maria Insider', taskForceId: tf.id });
    await signedMember(t, { name: 'Mario Outsider' });
    await signedMember(t, { name: 'Marta Suspended', taskForceId: tf.id, status: 'suspended' });
    const privateCategory = await makeCategory(t, admin, { taskForceIds: [tf.id] });
    const { threadId } = await startThread(t, insider, privateCategory);
    const asker = await signedMember(t, { name: 'Ann Asker', taskForceId: tf.id });
    const res = await getJson(t, asker, `/api/discussions/mention-candidates?q=mar&threadId=${threadId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().members).toEqual([
      {
        id: insider.id,
        name: 'Maria Insider',
        agency: 'Example Police Department',
        insert: `@[Maria Insider](member:${insider.id})`
      }
    ]);
    const byLastName = await getJson(t, asker, `/api/discussions/mention-candidates?q=insid&categoryId=${privateCategory}`);
    expect(byLastName.json().members.map((m: { id: number }) => m.id)).toEqual([insider.id]);
    // LIKE wildcards are literal.
    expect((await getJson(t, asker, `/api/discussions/mention-candidates?q=%25&threadId=${threadId}`)).json().members).toEqual(
      []
    );
    expect((await getJson(t, asker, `/api/discussions/mention-candidates?q=mar`)).statusCode).toBe(400);
  });
});

describe('reactions', () => {
  it('a fixed set, one of each per member, toggled; who reacted; not on own posts; post.reacted once per add', async () => {
    const events = recordEvents(t);
    const { threadId, postId } = await startThread(t, alice, category);
    const react = (who: Signed, body: Record<string, unknown>) =>
      call(t.app, 'POST', `/api/discussions/posts/${postId}/reactions`, { cookie: who.cookie, body });
    const first = await react(bob, { kind: 'helpful' });
    expect(first.json()).toEqual({ reacted: true, reactions: [{ kind: 'helpful', count: 1, reacted: true }] });
    await react(moderator, { kind: 'helpful' });
    await react(moderator, { kind: 'thanks' });
    const explicit = await react(moderator, { kind: 'thanks', reacted: true });
    expect(explicit.json().reactions).toEqual([
      { kind: 'helpful', count: 2, reacted: true },
      { kind: 'thanks', count: 1, reacted: true }
    ]);
    const off = await react(bob, { kind: 'helpful' });
    expect(off.json()).toEqual({
      reacted: false,
      reactions: [
        { kind: 'helpful', count: 1, reacted: false },
        { kind: 'thanks', count: 1, reacted: false }
      ]
    });
    expect((await react(bob, { kind: 'laugh' })).statusCode).toBe(400);
    const own = await react(alice, { kind: 'thanks' });
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/your own post/);
    const who = (await getJson(t, bob, `/api/discussions/posts/${postId}/reactions`)).json();
    expect(who.reactions).toEqual([
      { kind: 'helpful', count: 1, members: [{ id: moderator.id, name: expect.any(String) }] },
      { kind: 'thanks', count: 1, members: [{ id: moderator.id, name: expect.any(String) }] }
    ]);
    expect((await page(alice, threadId)).posts[0].reactions).toEqual([
      { kind: 'helpful', count: 1, reacted: false },
      { kind: 'thanks', count: 1, reacted: false }
    ]);
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'post.reacted')).toHaveLength(3);
    expect(events.find((e) => e.type === 'post.reacted')).toMatchObject({
      authorId: alice.id,
      reactorId: bob.id,
      kind: 'helpful'
    });
  });
});

describe('bookmarks', () => {
  it('own list, newest first, keyset pages, with excerpts; idempotent', async () => {
    const a = await startThread(t, alice, category, { title: 'First bookmarked thread', body: 'Alpha body text' });
    const b = await startThread(t, alice, category, { title: 'Second bookmarked thread', body: 'Beta body text' });
    const mark = (postId: number, bookmarked: boolean) =>
      call(t.app, 'POST', `/api/discussions/posts/${postId}/bookmark`, { cookie: bob.cookie, body: { bookmarked } });
    expect((await mark(a.postId, true)).json()).toEqual({ bookmarked: true });
    t.clock.advance(1000);
    await mark(b.postId, true);
    await mark(b.postId, true);
    const first = (await getJson(t, bob, '/api/discussions/bookmarks?limit=1')).json();
    expect(first.bookmarks).toEqual([
      expect.objectContaining({
        postId: b.postId,
        thread: { id: b.threadId, title: 'Second bookmarked thread' },
        excerpt: 'Beta body text'
      })
    ]);
    const second = (await getJson(t, bob, `/api/discussions/bookmarks?limit=1&after=${first.next}`)).json();
    expect(second.bookmarks.map((x: { postId: number }) => x.postId)).toEqual([a.postId]);
    expect(second.next).toBeNull();
    expect((await getJson(t, alice, '/api/discussions/bookmarks')).json().bookmarks).toEqual([]);
    await mark(a.postId, false);
    expect((await getJson(t, bob, '/api/discussions/bookmarks')).json().bookmarks).toHaveLength(1);
    expect((await page(bob, b.threadId)).posts[0].bookmarked).toBe(true);
  });
});

describe('notification levels', () => {
  it('watch / normal / mute per thread and per category; an explicit choice survives replying', async () => {
    const { threadId } = await startThread(t, alice, category);
    const set = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/notification-level`, {
      cookie: bob.cookie,
      body: { level: 'muted' }
    });
    expect(set.json()).toEqual({ level: 'muted' });
    await replyTo(t, bob, threadId, 'Replying does not unmute me.');
    expect((await page(bob, threadId)).thread.notificationLevel).toBe('muted');
    const cat = await call(t.app, 'POST', `/api/discussions/categories/${category}/notification-level`, {
      cookie: bob.cookie,
      body: { level: 'watching' }
    });
    expect(cat.statusCode).toBe(200);
    expect((await getJson(t, bob, '/api/discussions/categories')).json().categories[0].notificationLevel).toBe('watching');
    const bad = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/notification-level`, {
      cookie: bob.cookie,
      body: { level: 'loud' }
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('drafts', () => {
  it('saves, restores and discards a reply draft and a new-thread draft; posting discards the draft', async () => {
    const { threadId } = await startThread(t, alice, category);
    const url = `/api/discussions/threads/${threadId}/draft`;
    expect((await getJson(t, bob, url)).json()).toEqual({ draft: null });
    const saved = await call(t.app, 'PUT', url, { cookie: bob.cookie, body: { body: 'Half a thought' } });
    expect(saved.statusCode).toBe(200);
    expect((await getJson(t, bob, url)).json().draft).toEqual({ title: null, body: 'Half a thought', updatedAt: t.clock.now() });
    // Drafts are private to their writer.
    expect((await getJson(t, alice, url)).json()).toEqual({ draft: null });
    await replyTo(t, bob, threadId, 'The whole thought.');
    expect((await getJson(t, bob, url)).json()).toEqual({ draft: null });

    const catUrl = `/api/discussions/categories/${category}/draft`;
    await call(t.app, 'PUT', catUrl, { cookie: bob.cookie, body: { title: 'A thread in progress', body: 'Body so far' } });
    expect((await getJson(t, bob, catUrl)).json().draft).toMatchObject({ title: 'A thread in progress', body: 'Body so far' });
    expect((await call(t.app, 'DELETE', catUrl, { cookie: bob.cookie })).json()).toEqual({ deleted: true });
    expect((await getJson(t, bob, catUrl)).json()).toEqual({ draft: null });
    await call(t.app, 'PUT', catUrl, { cookie: bob.cookie, body: { title: 'Another', body: 'Body' } });
    await startThread(t, bob, category);
    expect((await getJson(t, bob, catUrl)).json()).toEqual({ draft: null });
  });

  it('is size-limited, refuses a title on a reply draft, and 404s on an unknown target', async () => {
    const { threadId } = await startThread(t, alice, category);
    const big = await call(t.app, 'PUT', `/api/discussions/threads/${threadId}/draft`, {
      cookie: bob.cookie,
      body: { body: 'x'.repeat(51_001) }
    });
    expect(big.statusCode).toBe(400);
    const titled = await call(t.app, 'PUT', `/api/discussions/threads/${threadId}/draft`, {
      cookie: bob.cookie,
      body: { body: 'x', title: 'Not for replies' }
    });
    expect(titled.statusCode).toBe(400);
    expect(
      (await call(t.app, 'PUT', '/api/discussions/threads/999/draft', { cookie: bob.cookie, body: { body: 'x' } })).statusCode
    ).toBe(404);
  });
});
