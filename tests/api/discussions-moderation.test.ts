import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
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
let author: Signed;
let flagger: Signed;
let moderator: Signed;
let category: number;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
  author = await signedMember(t, { name: 'Andy Author' });
  flagger = await signedMember(t, { name: 'Fran Flagger' });
  moderator = await signedMember(t, { role: 'moderator' });
  category = await makeCategory(t, admin);
});
afterEach(async () => {
  await t.close();
});

const flag = (who: Signed, postId: number, body: Record<string, unknown>) =>
  call(t.app, 'POST', `/api/discussions/posts/${postId}/flag`, { cookie: who.cookie, body });
const decide = (who: Signed, postId: number, body: Record<string, unknown>) =>
  call(t.app, 'POST', `/api/moderation/posts/${postId}/decide`, { cookie: who.cookie, body });
const hits = async (who: Signed, q: string) =>
  (await getJson(t, who, `/api/search?q=${encodeURIComponent(q)}`)).json().hits.map((h: { postId: number }) => h.postId);

describe('flagging', () => {
  it('takes a reason (and a note for "other"), once per member while open; other reasons do not hide', async () => {
    const { threadId } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'An opinion some dislike.');
    expect((await flag(flagger, postId, { reason: 'other' })).statusCode).toBe(400);
    expect((await flag(flagger, postId, { reason: 'spam' })).statusCode).toBe(400);
    const ok = await flag(flagger, postId, { reason: 'off_topic', note: 'Belongs in another category.' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ hidden: false });
    const twice = await flag(flagger, postId, { reason: 'inappropriate' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/already flagged/);
    expect((await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).json().posts[1].status).toBe('visible');
    expect(auditOf(t, 'post.flagged')).toEqual([expect.objectContaining({ actorId: flagger.id, targetId: String(postId) })]);
  });
});

describe('the moderation queue', () => {
  it('lists flagged posts oldest first with their flags and the posts before them; moderators only', async () => {
    const { threadId } = await startThread(t, author, category, { body: 'Opening words' });
    const a = await replyTo(t, author, threadId, 'Second post');
    const b = await replyTo(t, author, threadId, 'Third post');
    await flag(flagger, b.postId, { reason: 'inappropriate', note: 'Rude' });
    t.clock.advance(1000);
    await flag(flagger, a.postId, { reason: 'pii' });
    const other = await signedMember(t);
    await flag(other, b.postId, { reason: 'off_topic' });

    const first = await getJson(t, moderator, '/api/moderation/flags?limit=1');
    expect(first.statusCode).toBe(200);
    const item = first.json().items[0];
    expect(item.post).toMatchObject({
      id: b.postId,
      number: 3,
      author: { id: author.id, name: 'Andy Author' },
      html: '<p>Third post</p>'
    });
    expect(item.thread).toMatchObject({ id: threadId, category: { id: category } });
    expect(item.flags.map((f: { reason: string; flagger: { id: number } }) => [f.reason, f.flagger.id])).toEqual([
      ['inappropriate', flagger.id],
      ['off_topic', other.id]
    ]);
    expect(item.context.map((c: { number: number }) => c.number)).toEqual([1, 2]);
    const second = (await getJson(t, moderator, `/api/moderation/flags?limit=1&after=${first.json().next}`)).json();
    expect(second.items[0].post).toMatchObject({ id: a.postId, status: 'hidden', hiddenReason: 'pii_flag' });
    expect(second.next).toBeNull();

    expect((await getJson(t, author, '/api/moderation/flags')).statusCode).toBe(403);
    expect((await decide(author, a.postId, { outcome: 'dismiss' })).statusCode).toBe(403);
  });
});

describe('outcomes: each resolves the flags, is audited, and tells the flaggers and the author', () => {
  it('dismiss: a PII-hidden post comes back, to the thread and to search', async () => {
    const events = recordEvents(t);
    const { threadId } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'The Oakwood protocol works well.');
    await flag(flagger, postId, { reason: 'pii' });
    expect(await hits(flagger, 'Oakwood')).toEqual([]);
    const res = await decide(moderator, postId, { outcome: 'dismiss', note: 'A protocol name, not a person.' });
    expect(res.statusCode).toBe(200);
    expect((await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).json().posts[1].status).toBe('visible');
    expect(await hits(flagger, 'Oakwood')).toEqual([postId]);
    expect((await getJson(t, moderator, '/api/moderation/flags')).json().items).toEqual([]);
    expect(auditOf(t, 'moderation.dismissed')[0]!.detail).toMatchObject({
      flaggers: [flagger.id],
      note: 'A protocol name, not a person.'
    });
    await t.deps.bus.idle();
    expect(events.filter((e) => e.type === 'moderation.outcome')).toEqual([
      {
        type: 'moderation.outcome',
        postId,
        threadId,
        categoryId: category,
        outcome: 'dismiss',
        authorId: author.id,
        moderatorId: moderator.id,
        flaggerIds: [flagger.id],
        message: null
      }
    ]);
  });

  it('hide: out of view and out of search; the post stays for moderators', async () => {
    const { threadId } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'Something unkind about a colleague.');
    await flag(flagger, postId, { reason: 'inappropriate', note: 'Personal attack' });
    expect((await decide(moderator, postId, { outcome: 'hide' })).statusCode).toBe(200);
    expect((await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).json().posts[1]).toMatchObject({
      status: 'hidden',
      hiddenReason: 'moderator',
      html: null
    });
    expect(await hits(moderator, 'unkind')).toEqual([]);
    expect(auditOf(t, 'moderation.hidden')).toHaveLength(1);
  });

  it('edit: the moderator’s text replaces the post (a revision is kept), and the post is visible again', async () => {
    const { threadId } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'Contact Rosa at the Elm shelter.');
    await flag(flagger, postId, { reason: 'pii' });
    expect((await decide(moderator, postId, { outcome: 'edit' })).statusCode).toBe(400);
    const res = await decide(moderator, postId, { outcome: 'edit', body: 'Contact the shelter coordinator.' });
    expect(res.statusCode).toBe(200);
    const view = (await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).json().posts[1];
    expect(view).toMatchObject({ status: 'visible', html: '<p>Contact the shelter coordinator.</p>' });
    expect(await hits(flagger, 'coordinator')).toEqual([postId]);
    expect(await hits(flagger, 'Rosa')).toEqual([]);
    const revisions = (await getJson(t, author, `/api/discussions/posts/${postId}/revisions`)).json().revisions;
    expect(revisions[0]).toMatchObject({ body: 'Contact Rosa at the Elm shelter.', editedById: moderator.id });
    expect(auditOf(t, 'moderation.edited')).toHaveLength(1);
  });

  it('delete: a reply is soft-deleted; on an opening post the whole thread goes', async () => {
    const { threadId, postId: opening } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'Spam link farm');
    await flag(flagger, postId, { reason: 'other', note: 'Spam' });
    expect((await decide(moderator, postId, { outcome: 'delete' })).statusCode).toBe(200);
    expect((await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).json().posts[1].status).toBe('deleted');
    await flag(flagger, opening, { reason: 'inappropriate', note: 'Whole thread is spam' });
    expect((await decide(moderator, opening, { outcome: 'delete' })).statusCode).toBe(200);
    expect((await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).statusCode).toBe(404);
    expect(auditOf(t, 'moderation.deleted')).toHaveLength(2);
  });

  it('warn: needs a message, which reaches the author through the event; the post stays', async () => {
    const events = recordEvents(t);
    const { threadId } = await startThread(t, author, category);
    const { postId } = await replyTo(t, author, threadId, 'Borderline remark.');
    await flag(flagger, postId, { reason: 'inappropriate', note: 'Tone' });
    expect((await decide(moderator, postId, { outcome: 'warn' })).statusCode).toBe(400);
    const res = await decide(moderator, postId, { outcome: 'warn', message: 'Please keep a professional tone.' });
    expect(res.statusCode).toBe(200);
    expect((await getJson(t, flagger, `/api/discussions/threads/${threadId}`)).json().posts[1].status).toBe('visible');
    await t.deps.bus.idle();
    expect(events.find((e) => e.type === 'moderation.outcome')).toMatchObject({
      outcome: 'warn',
      authorId: author.id,
      flaggerIds: [flagger.id],
      message: 'Please keep a professional tone.'
    });
    expect(auditOf(t, 'moderation.warned')[0]!.detail).toMatchObject({ message: 'Please keep a professional tone.' });
    // Text only goes with "edit".
    expect((await decide(moderator, postId, { outcome: 'hide', body: 'x' })).statusCode).toBe(400);
  });
});
