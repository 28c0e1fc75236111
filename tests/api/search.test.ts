import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../../server/shared/clock.ts';
import { markedHtml } from '../../server/modules/search/service.ts';
import { toFtsQuery } from '../../server/modules/search/query.ts';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce, sessionCookie } from '../support/factories.ts';
import {
  discussionsApp,
  getJson,
  makeCategory,
  replyTo,
  signedMember,
  startThread,
  type Signed
} from '../support/discussions.ts';

let t: TestApp;
let admin: Signed;
let alice: Signed;
let bob: Signed;
let category: number;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
  alice = await signedMember(t);
  bob = await signedMember(t);
  category = await makeCategory(t, admin);
});
afterEach(async () => {
  await t.close();
});

const search = (who: Signed, q: string, extra = '') => getJson(t, who, `/api/search?q=${encodeURIComponent(q)}${extra}`);
const ids = async (who: Signed, q: string, extra = '') => {
  const res = await search(who, q, extra);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().hits.map((h: { postId: number }) => h.postId) as number[];
};

describe('the query language', () => {
  it('quotes every term (no FTS5 syntax from the input), phrases in quotes, a prefix for the word being typed', () => {
    expect(toFtsQuery('labor traff').match).toBe('"labor" "traff"*');
    expect(toFtsQuery('labor traff ').match).toBe('"labor" "traff"');
    // A last word of 7 letters or more is taken as typed: prefix-expanding it would merge huge doclists.
    expect(toFtsQuery('labor traffick').match).toBe('"labor" "traffick"');
    expect(toFtsQuery('"forced labor" ECM').match).toBe('"forced labor" "ECM"*');
    expect(toFtsQuery('title:secret OR NEAR(a b)').match).toBe('"title:secret" "OR" "NEAR(a" "b)"');
    expect(toFtsQuery('say "hi').match).toBe('"say" "hi"');
    expect(toFtsQuery('T-visa').match).toBe('"T-visa"*');
    expect(toFtsQuery('a b').match).toBe('"a" "b"');
    expect(toFtsQuery('--- * ""').match).toBeNull();
  });

  it('marks are our own: FTS output is escaped before <mark> is added', () => {
    expect(markedHtml('<b>x</b> \u0002hit\u0003 & "q"')).toBe('&lt;b&gt;x&lt;/b&gt; <mark>hit</mark> &amp; &quot;q&quot;');
  });
});

describe('search', () => {
  it('finds a thread by a word in a reply, ranks a title match above a body mention, and highlights safely', async () => {
    const body = await startThread(t, alice, category, {
      title: 'Questions on shelter capacity',
      body: 'We sometimes need an interpreter.'
    });
    const titled = await startThread(t, alice, category, {
      title: 'Interpreter access for survivors',
      body: 'What works for you?'
    });
    const reply = await replyTo(t, bob, body.threadId, 'Our <script>alert(1)</script> interpreter roster is shared statewide.');
    const res = await search(bob, 'interpreter');
    const hits = res.json().hits;
    expect(hits[0]).toMatchObject({
      postId: titled.postId,
      isOpeningPost: true,
      titleHtml: '<mark>Interpreter</mark> access for survivors'
    });
    expect(hits.map((h: { postId: number }) => h.postId).sort()).toEqual([body.postId, titled.postId, reply.postId].sort());
    const replyHit = hits.find((h: { postId: number }) => h.postId === reply.postId);
    expect(replyHit.snippetHtml).toContain('&lt;script&gt;');
    expect(replyHit.snippetHtml).toContain('<mark>interpreter</mark>');
    expect(replyHit.snippetHtml).not.toContain('<script>');
    expect(replyHit).toMatchObject({
      threadId: body.threadId,
      number: 2,
      threadTitle: 'Questions on shelter capacity',
      category: { id: category }
    });
  });

  it('matches prefixes of the last word, phrases in quotes, and short acronyms (ECM, OVC, CSE, T-visa)', async () => {
    const a = await startThread(t, alice, category, {
      title: 'Labor trafficking in agriculture',
      body: 'Forced labor on farms.'
    });
    const b = await startThread(t, alice, category, {
      title: 'Grants and reporting deadlines',
      body: 'The labor was forced, they said.'
    });
    const c = await startThread(t, alice, category, {
      title: 'Acronyms we use every single day',
      body: 'ECM funding, OVC guidance, CSE screening and the T-visa.'
    });
    const d = await startThread(t, alice, category, {
      title: 'Certifications for immigration relief',
      body: 'Our T visa certification policy.'
    });
    expect(await ids(bob, 'traff')).toEqual([a.postId]);
    expect(await ids(bob, 'traff ')).toEqual([]);
    expect(await ids(bob, '"forced labor"')).toEqual([a.postId]);
    expect((await ids(bob, 'forced labor ')).sort()).toEqual([a.postId, b.postId].sort());
    for (const q of ['ECM', 'ovc', 'CSE ']) expect(await ids(bob, q), q).toEqual([c.postId]);
    expect((await ids(bob, 'T-visa')).sort()).toEqual([c.postId, d.postId].sort());
    expect((await ids(bob, 't visa ')).sort()).toEqual([c.postId, d.postId].sort());
  });

  it('filters by category, author, date range and "only my threads"', async () => {
    const other = await makeCategory(t, admin);
    const a = await startThread(t, alice, category, { body: 'Protocol for hotel outreach' });
    t.clock.advance(3 * DAY);
    alice = { ...alice, cookie: sessionCookie(t, alice.id) };
    bob = { ...bob, cookie: sessionCookie(t, bob.id) };
    const b = await startThread(t, bob, other, { body: 'Protocol for bus station outreach' });
    const reply = await replyTo(t, bob, a.threadId, 'Outreach protocol reply');
    expect((await ids(bob, 'outreach ')).sort()).toEqual([a.postId, b.postId, reply.postId].sort());
    expect(await ids(bob, 'outreach ', `&categoryId=${other}`)).toEqual([b.postId]);
    expect((await ids(bob, 'outreach ', `&authorId=${bob.id}`)).sort()).toEqual([b.postId, reply.postId].sort());
    expect((await ids(alice, 'outreach ', '&mine=true')).sort()).toEqual([a.postId, reply.postId].sort());
    expect(await ids(bob, 'outreach ', '&from=2026-01-01&to=2026-01-06')).toEqual([a.postId]);
    expect((await ids(bob, 'outreach ', '&from=2026-01-07')).sort()).toEqual([b.postId, reply.postId].sort());
    const backwards = await search(bob, 'outreach', '&from=2026-02-01&to=2026-01-01');
    expect(backwards.statusCode).toBe(400);
    expect((await search(bob, 'outreach', '&from=2026-02-30')).statusCode).toBe(400);
    expect((await search(bob, 'outreach', '&mine=maybe')).statusCode).toBe(400);
  });

  it('refuses an empty query and never fails on FTS syntax', async () => {
    await startThread(t, alice, category);
    const empty = await search(bob, '--- ***');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/at least one word/);
    for (const q of [
      '"',
      '""',
      'NEAR(',
      'a AND',
      'title:x',
      '^foo',
      'x OR',
      '{a b}',
      "'; DROP TABLE posts; --",
      '(((',
      'a*b',
      '\u0000x'
    ]) {
      const res = await search(bob, q);
      expect([200, 400], q).toContain(res.statusCode);
    }
  });

  it('is rate-limited (30 a minute) with Retry-After', async () => {
    await startThread(t, alice, category);
    for (let i = 0; i < 30; i++) expect((await search(bob, `practice${i}`)).statusCode).toBe(200);
    const limited = await search(bob, 'practice');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(61_000);
    expect((await search(bob, 'practice')).statusCode).toBe(200);
  });
});

describe('the index stays in step', () => {
  it('with edits (old words gone, new found; a retitled thread too)', async () => {
    const { postId } = await startThread(t, alice, category, { title: 'Original wording title', body: 'Mentions pineapple' });
    expect(await ids(bob, 'pineapple')).toEqual([postId]);
    await call(t.app, 'PATCH', `/api/discussions/posts/${postId}`, {
      cookie: alice.cookie,
      body: { body: 'Mentions mango', title: 'Retitled about papaya' }
    });
    expect(await ids(bob, 'pineapple')).toEqual([]);
    expect(await ids(bob, 'mango')).toEqual([postId]);
    expect(await ids(bob, 'papaya')).toEqual([postId]);
    expect(await ids(bob, 'Original')).toEqual([]);
  });

  it('with post deletes and restores, and thread deletes and restores', async () => {
    const moderator = await signedMember(t, { role: 'moderator' });
    const { threadId, postId } = await startThread(t, alice, category, { body: 'Opening about kiwi' });
    const reply = await replyTo(t, bob, threadId, 'Reply about kiwi');
    await call(t.app, 'POST', `/api/discussions/posts/${reply.postId}/delete`, { cookie: bob.cookie });
    expect(await ids(moderator, 'kiwi')).toEqual([postId]);
    await call(t.app, 'POST', `/api/discussions/posts/${reply.postId}/restore`, { cookie: moderator.cookie });
    expect((await ids(bob, 'kiwi')).sort()).toEqual([postId, reply.postId].sort());
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/delete`, { cookie: moderator.cookie });
    expect(await ids(moderator, 'kiwi')).toEqual([]);
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/restore`, { cookie: moderator.cookie });
    expect((await ids(bob, 'kiwi')).sort()).toEqual([postId, reply.postId].sort());
  });

  it('with moves: the category filter follows, and a move into a private category hides it from outsiders', async () => {
    const moderator = await signedMember(t, { role: 'moderator' });
    const tf = createTaskForce(t);
    const insider = await signedMember(t, { taskForceId: tf.id });
    const privateCategory = await makeCategory(t, admin, { taskForceIds: [tf.id] });
    const { threadId, postId } = await startThread(t, alice, category, { body: 'About guava' });
    await call(t.app, 'POST', `/api/discussions/threads/${threadId}/move`, {
      cookie: moderator.cookie,
      body: { categoryId: privateCategory }
    });
    expect(await ids(insider, 'guava', `&categoryId=${privateCategory}`)).toEqual([postId]);
    expect(await ids(insider, 'guava', `&categoryId=${category}`)).toEqual([]);
    expect(await ids(bob, 'guava')).toEqual([]);
    // Even the author, once outside the audience.
    expect(await ids(alice, 'guava')).toEqual([]);
  });

  it('never returns what the searcher cannot read: private categories (moderators excepted) and hidden posts', async () => {
    const tf = createTaskForce(t);
    const insider = await signedMember(t, { taskForceId: tf.id });
    const prosecutor = await signedMember(t, { discipline: 'prosecution' });
    const moderator = await signedMember(t, { role: 'moderator' });
    const byTaskForce = await makeCategory(t, admin, { taskForceIds: [tf.id] });
    const byDiscipline = await makeCategory(t, admin, { disciplines: ['prosecution'] });
    const a = await startThread(t, insider, byTaskForce, { body: 'Secret lychee plan' });
    const b = await startThread(t, prosecutor, byDiscipline, { body: 'Lychee charging memo' });
    expect(await ids(bob, 'lychee')).toEqual([]);
    expect(await ids(bob, 'lychee', `&categoryId=${byTaskForce}`)).toEqual([]);
    expect(await ids(insider, 'lychee')).toEqual([a.postId]);
    expect(await ids(prosecutor, 'lychee')).toEqual([b.postId]);
    expect((await ids(moderator, 'lychee')).sort()).toEqual([a.postId, b.postId].sort());
  });
});
