import { afterEach, describe, expect, it } from 'vitest';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { signedMember, type Signed } from '../support/discussions.ts';
import { DAY } from '../../server/shared/clock.ts';
import { sessionCookie } from '../support/factories.ts';
import { counts, setStatus, suggest, suggestionPage, vote } from '../support/suggestions.ts';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const get = (who: Signed, url: string) => call(t.app, 'GET', url, { cookie: who.cookie });
const titles = (body: { suggestions: { title: string }[] }) => body.suggestions.map((s) => s.title);

describe('submitting', () => {
  it('stores a suggestion with its comments thread, search row and the author’s own vote', async () => {
    t = await makeApp();
    const author = await signedMember(t, { name: 'Dana Author' });
    const reader = await signedMember(t);
    const res = await call(t.app, 'POST', '/api/suggestions', {
      cookie: author.cookie,
      body: { title: '  Shared   interview room   calendar ', description: 'A **shared** calendar <script>x</script>' }
    });
    expect(res.statusCode, res.body).toBe(201);
    const { id, threadId } = res.json() as { id: number; threadId: number };
    const page = (await suggestionPage(t, reader, id)).json();
    expect(page).toMatchObject({
      id,
      title: 'Shared interview room calendar',
      status: 'new',
      voteCount: 1,
      myVote: false,
      votingOpen: true,
      author: { id: author.id, displayName: 'Dana Author' },
      commentCount: 0,
      threadId,
      history: [],
      original: null,
      can: { vote: true, edit: false, setStatus: false, delete: false }
    });
    expect(page.descriptionHtml).toContain('<strong>shared</strong>');
    expect(page.descriptionHtml).not.toContain('<script');
    expect((await suggestionPage(t, author, id)).json()).toMatchObject({ myVote: true, can: { edit: true } });
    const thread = t.db.$client
      .prepare('SELECT c.attached_kind AS kind, t.title FROM threads t JOIN categories c ON c.id = t.category_id WHERE t.id = ?')
      .get(threadId);
    expect(thread).toEqual({ kind: 'suggestions', title: 'Shared interview room calendar' });
    expect(counts(t, id)).toEqual({ stored: 1, rows: 1, voters: [author.id] });
    // Members comment through the discussions API, in the suggestion's thread.
    const comment = await call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
      cookie: reader.cookie,
      body: { body: 'Yes please, we double-book the room every week.' }
    });
    expect(comment.statusCode, comment.body).toBe(201);
    expect((await suggestionPage(t, reader, id)).json().commentCount).toBe(1);
  });

  it('refuses bad titles and descriptions with clear messages', async () => {
    t = await makeApp();
    const m = await signedMember(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 'Short' }, 'title'],
      [{ title: 'x'.repeat(151) }, 'title'],
      [{ title: '\u0000\u0001        ' }, 'title'],
      [{ title: 'A fine title here', description: 'y'.repeat(10_001) }, 'description']
    ];
    for (const [body, field] of cases) {
      const res = await call(t.app, 'POST', '/api/suggestions', { cookie: m.cookie, body });
      expect(res.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.json().error.fields).toHaveProperty(field);
    }
    const extra = await call(t.app, 'POST', '/api/suggestions', { cookie: m.cookie, body: { title: 'A fine title here', x: 1 } });
    expect(extra.statusCode).toBe(400);
  });

  it('asks the privacy question before saving, and saves once confirmed', async () => {
    t = await makeApp();
    const m = await signedMember(t);
    const body = { title: 'Better victim intake form', description: 'Like the one for Maria, DOB 04/12/2009, 555-201-3344.' };
    const asked = await call(t.app, 'POST', '/api/suggestions', { cookie: m.cookie, body });
    expect(asked.statusCode).toBe(422);
    expect(asked.json().error.code).toBe('privacy_check');
    expect(asked.json().error.findings.length).toBeGreaterThan(0);
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM suggestions').get()).toEqual({ n: 0 });
    const confirmed = await call(t.app, 'POST', '/api/suggestions', {
      cookie: m.cookie,
      body: { ...body, confirmPrivacy: true }
    });
    expect(confirmed.statusCode).toBe(201);
  });

  it('allows five suggestions a day per member, counted in the database', async () => {
    t = await makeApp();
    const m = await signedMember(t);
    for (let i = 1; i <= 5; i++) await suggest(t, m, `Suggestion number ${i} for the board`);
    const sixth = await call(t.app, 'POST', '/api/suggestions', {
      cookie: m.cookie,
      body: { title: 'One more suggestion today' }
    });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.message).toMatch(/5 suggestions in the last 24 hours/);
    t.clock.advance(DAY + 1000);
    await suggest(t, { ...m, cookie: sessionCookie(t, m.id) }, 'A suggestion the next day');
  });

  it('lets the author edit while new (search follows), and nobody else', async () => {
    t = await makeApp();
    const author = await signedMember(t);
    const other = await signedMember(t);
    const admin = await signedMember(t, { role: 'admin' });
    const id = await suggest(t, author, 'Spanish language hotline cards');
    const byOther = await call(t.app, 'PATCH', `/api/suggestions/${id}`, {
      cookie: other.cookie,
      body: { title: 'Taken over title' }
    });
    expect(byOther.statusCode).toBe(403);
    const edited = await call(t.app, 'PATCH', `/api/suggestions/${id}`, {
      cookie: author.cookie,
      body: { title: 'Multilingual hotline wallet cards' }
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(titles((await get(other, '/api/suggestions?q=wallet')).json())).toEqual(['Multilingual hotline wallet cards']);
    expect((await get(other, '/api/suggestions?q=spanish')).json().suggestions).toEqual([]);
    expect((await setStatus(t, admin, id, { status: 'under_review' })).statusCode).toBe(200);
    const late = await call(t.app, 'PATCH', `/api/suggestions/${id}`, {
      cookie: author.cookie,
      body: { title: 'Too late to edit it' }
    });
    expect(late.statusCode).toBe(409);
  });

  it('admins delete (soft, audited): gone from the board and hints, their page for admins only', async () => {
    t = await makeApp();
    const author = await signedMember(t);
    const admin = await signedMember(t, { role: 'admin' });
    const id = await suggest(t, author, 'Regional forensic interview pool');
    const refused = await call(t.app, 'POST', `/api/suggestions/${id}/delete`, { cookie: author.cookie, body: {} });
    expect(refused.statusCode).toBe(403);
    const res = await call(t.app, 'POST', `/api/suggestions/${id}/delete`, { cookie: admin.cookie, body: {} });
    expect(res.statusCode, res.body).toBe(200);
    expect((await suggestionPage(t, author, id)).statusCode).toBe(404);
    expect((await suggestionPage(t, admin, id)).json()).toMatchObject({ deleted: true });
    expect((await get(author, '/api/suggestions')).json().suggestions).toEqual([]);
    expect((await get(author, '/api/suggestions/similar?q=forensic interview')).json().suggestions).toEqual([]);
    expect((await vote(t, author, id)).statusCode).toBe(404);
    const audit = t.db.$client
      .prepare("SELECT actor_id AS actorId, target_id AS targetId FROM audit_log WHERE action = 'suggestion.deleted'")
      .all();
    expect(audit).toEqual([{ actorId: admin.id, targetId: String(id) }]);
    expect((await call(t.app, 'POST', `/api/suggestions/${id}/delete`, { cookie: admin.cookie, body: {} })).statusCode).toBe(409);
  });
});

describe('the board', () => {
  it('sorts by votes, newest and status, filters by status and words, in keyset pages', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const m = [await signedMember(t), await signedMember(t), await signedMember(t)];
    const a = await suggest(t, m[0]!, 'Annual conference travel grants');
    const b = await suggest(t, m[1]!, 'Bilingual screening questions');
    const c = await suggest(t, m[2]!, 'Case law digest every month');
    await vote(t, m[0]!, b);
    await vote(t, m[2]!, b);
    await vote(t, m[1]!, c);
    expect((await setStatus(t, admin, a, { status: 'planned', note: 'Budgeted for next year.' })).statusCode).toBe(200);
    const list = async (qs: string) => (await get(m[0]!, `/api/suggestions?${qs}`)).json();
    expect(titles(await list('sort=votes'))).toEqual([
      'Bilingual screening questions',
      'Case law digest every month',
      'Annual conference travel grants'
    ]);
    expect(titles(await list('sort=newest'))).toEqual([
      'Case law digest every month',
      'Bilingual screening questions',
      'Annual conference travel grants'
    ]);
    expect(titles(await list('sort=status'))[0]).toBe('Annual conference travel grants');
    expect(titles(await list('status=planned'))).toEqual(['Annual conference travel grants']);
    expect(titles(await list('q=screening'))).toEqual(['Bilingual screening questions']);
    const first = await list('sort=votes&limit=1');
    expect(first.suggestions[0]).toMatchObject({ id: b, voteCount: 3, myVote: true, status: 'new', commentCount: 0 });
    expect(first.next).toBe(`3.${b}`);
    const second = await list(`sort=votes&limit=1&after=${first.next}`);
    expect(titles(second)).toEqual(['Case law digest every month']);
    const third = await list(`sort=votes&limit=1&after=${second.next}`);
    expect(titles(third)).toEqual(['Annual conference travel grants']);
    expect(third.next).toBeNull();
    for (const sort of ['newest', 'status']) {
      const seen: string[] = [];
      let after = '';
      for (let i = 0; i < 4; i++) {
        const page = await list(`sort=${sort}&limit=1${after ? `&after=${after}` : ''}`);
        seen.push(...titles(page));
        if (!page.next) break;
        after = page.next;
      }
      expect([...seen].sort(), sort).toEqual(titles(await list('sort=votes')).sort());
    }
    expect((await get(m[0]!, '/api/suggestions?sort=votes&after=12')).statusCode).toBe(400);
    expect((await get(m[0]!, '/api/suggestions?q=%22%22')).statusCode).toBe(400);
  });

  it('hints at similar suggestions while typing: any word, the last one as a prefix, best first, five at most', async () => {
    t = await makeApp();
    const admin = await signedMember(t, { role: 'admin' });
    const m = await signedMember(t);
    const hotel = await suggest(t, m, 'Hotel staff training on trafficking indicators', 'Front desk and housekeeping.');
    await suggest(t, m, 'Truck stop outreach kit', 'Posters for truck stops; training for staff too.');
    const dup = await suggest(t, m, 'Training for hotel workers');
    await setStatus(t, admin, dup, { status: 'already_exists', note: 'Same as the hotel one.', duplicateOfId: hotel });
    const similar = async (q: string) =>
      ((await get(m, `/api/suggestions/similar?q=${encodeURIComponent(q)}`)).json() as { suggestions: { title: string }[] })
        .suggestions;
    const hits = await similar('Training for hot');
    expect(hits.map((s) => s.title)).toEqual(['Hotel staff training on trafficking indicators', 'Truck stop outreach kit']);
    expect(await similar('the for of')).toEqual([]);
    expect(await similar('')).toEqual([]);
    expect((await similar('housekeeping')).map((s) => s.title)).toEqual(['Hotel staff training on trafficking indicators']);
    expect(await similar(`hotel" OR title:* NEAR(`)).toBeInstanceOf(Array);
    const more = await signedMember(t);
    for (let i = 0; i < 5; i++) await suggest(t, i < 3 ? admin : more, `Training idea number ${i + 1} for members`);
    expect(await similar('training')).toHaveLength(5);
  });

  it('names authors as the directory’s visibility rule allows the viewer', async () => {
    t = await makeApp();
    const hidden = await signedMember(t, { name: 'Undercover Officer' });
    const peer = await signedMember(t);
    const admin = await signedMember(t, { role: 'admin' });
    t.db.$client
      .prepare("INSERT INTO member_profiles (member_id, name_visibility, updated_at) VALUES (?, 'staff', ?)")
      .run(hidden.id, t.clock.now());
    const id = await suggest(t, hidden, 'Safer meeting places for informants');
    const author = async (who: Signed) => (await get(who, '/api/suggestions')).json().suggestions[0].author.displayName;
    expect(await author(peer)).toBe('A member of Example Police Department');
    expect(await author(admin)).toBe('Undercover Officer');
    expect(await author(hidden)).toBe('Undercover Officer');
    const page = (await suggestionPage(t, peer, id)).body;
    expect(page).not.toContain('Undercover Officer');
    const similar = (await get(peer, '/api/suggestions/similar?q=informants')).body;
    expect(similar).toContain('Safer meeting places for informants');
    expect(similar).not.toContain('Undercover Officer');
  });

  it('is for active members only', async () => {
    t = await makeApp();
    const pending = await signedMember(t, { status: 'pending', noticeAccepted: false });
    expect((await call(t.app, 'GET', '/api/suggestions')).statusCode).toBe(401);
    expect((await get(pending, '/api/suggestions')).statusCode).toBe(403);
  });
});
