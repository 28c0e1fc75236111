import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { setProfile } from '../support/directory.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.close();
});

type Card = { id: number; displayName: string; expertise?: string[] };
const names = (body: { members: Card[] }) => body.members.map((m) => m.displayName);

describe('finding people', () => {
  it('lists listed active members by the name the viewer sees, page by page', async () => {
    const viewer = await createMember(t, { name: 'Viewer Vance' });
    const cookie = sessionCookie(t, viewer.id);
    for (const name of ['Carla Diaz', 'ana Brook', 'Ben Ortiz', 'Dee Park', 'Eli Stone']) await createMember(t, { name });
    const unlisted = await createMember(t, { name: 'Una Listed' });
    setProfile(t, unlisted.id, { listed: false });
    await createMember(t, { name: 'Sue Suspended', status: 'suspended' });
    await createMember(t, { name: 'Pat Pending', status: 'pending' });
    const hiddenName = await createMember(t, { name: 'Zed Hidden', discipline: 'prosecution' });
    setProfile(t, hiddenName.id, { visibility: { name: 'staff', agency: 'staff' } });

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: '3', ...(after ? { after } : {}) };
      const res = await call(t.app, 'GET', '/api/members', { cookie, query });
      expect(res.statusCode).toBe(200);
      seen.push(...names(res.json()));
      after = res.json().next;
      pages++;
    } while (after !== null && pages < 10);
    expect(seen).toEqual([
      'A prosecution member',
      'ana Brook',
      'Ben Ortiz',
      'Carla Diaz',
      'Dee Park',
      'Eli Stone',
      'Viewer Vance'
    ]);
    expect(pages).toBe(3);
  });

  it('filters by discipline, state, task force, expertise and language, and searches words across fields', async () => {
    const gulf = createTaskForce(t, { name: 'Gulf Task Force' });
    const viewer = await createMember(t);
    const cookie = sessionCookie(t, viewer.id);
    const prosecutor = await createMember(t, { name: 'Paula Prosecutor', discipline: 'prosecution', taskForceId: gulf.id });
    setProfile(t, prosecutor.id, {
      state: 'TX',
      expertise: ['labor trafficking', 'forced criminality'],
      languages: ['Spanish'],
      bio: 'Ten years of **federal** cases.',
      agency: 'US Attorney Office',
      jobTitle: 'AUSA'
    });
    const officer = await createMember(t, { name: 'Oscar Officer', discipline: 'law_enforcement' });
    setProfile(t, officer.id, { state: 'LA', expertise: ['online exploitation'], languages: ['French'] });
    const find = async (query: Record<string, string>) => {
      const res = await call(t.app, 'GET', '/api/members', { cookie, query });
      expect(res.statusCode, JSON.stringify(query)).toBe(200);
      return (res.json().members as Card[]).map((m) => m.id);
    };
    expect(await find({ discipline: 'prosecution' })).toEqual([prosecutor.id]);
    expect(await find({ state: 'tx' })).toEqual([prosecutor.id]);
    expect(await find({ taskForceId: String(gulf.id) })).toEqual([prosecutor.id]);
    expect(await find({ expertise: 'Labor Trafficking' })).toEqual([prosecutor.id]);
    expect(await find({ language: 'spanish' })).toEqual([prosecutor.id]);
    expect(await find({ q: 'federal' })).toEqual([prosecutor.id]);
    expect(await find({ q: 'ausa paula' })).toEqual([prosecutor.id]);
    expect(await find({ q: 'attorney criminality' })).toEqual([prosecutor.id]);
    expect(await find({ q: 'exploitation' })).toEqual([officer.id]);
    expect(await find({ q: 'paula exploitation' })).toEqual([]);
    expect(await find({ discipline: 'prosecution', state: 'LA' })).toEqual([]);
    // LIKE wildcards are the member's characters, not patterns.
    expect(await find({ q: '%' })).toEqual([]);
    expect(await find({ q: '_' })).toEqual([]);
    expect(await find({ q: '"paula"' })).toEqual([prosecutor.id]);
    // Empty filters are no filters (a GET form sends every field).
    const everyone = await find({ q: '', discipline: '', state: '', taskForceId: '', expertise: '', language: '' });
    expect(everyone).toHaveLength(3);
  });

  it('refuses a bad cursor, bad filters and too large a page, with a 400', async () => {
    const viewer = await createMember(t);
    const cookie = sessionCookie(t, viewer.id);
    const queries: Record<string, string>[] = [
      { after: 'not-a-cursor' },
      { after: Buffer.from('["a"]').toString('base64url') },
      { discipline: 'astronaut' },
      { state: 'Texas' },
      { limit: '500' },
      { taskForceId: 'x' }
    ];
    for (const query of queries) {
      const res = await call(t.app, 'GET', '/api/members', { cookie, query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json().error.code).toBe('invalid');
    }
  });
});

describe('filter options and expertise autocomplete', () => {
  it('counts only listed active members’ visible values', async () => {
    const tf = createTaskForce(t, { name: 'Options Task Force' });
    const viewer = await createMember(t);
    const cookie = sessionCookie(t, viewer.id);
    const a = await createMember(t, { discipline: 'prosecution', taskForceId: tf.id });
    setProfile(t, a.id, { state: 'TX', languages: ['Spanish'], expertise: ['labor trafficking', 'visas'] });
    const b = await createMember(t, { discipline: 'prosecution' });
    setProfile(t, b.id, { state: 'TX', languages: ['spanish', 'Vietnamese'], expertise: ['labor trafficking'] });
    const unlisted = await createMember(t, { discipline: 'victim_services' });
    setProfile(t, unlisted.id, { state: 'OK', languages: ['Cherokee'], expertise: ['tribal liaison'], listed: false });

    const res = await call(t.app, 'GET', '/api/directory/options', { cookie });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.states).toEqual([{ code: 'TX', count: 2 }]);
    expect(body.languages).toEqual([
      { name: 'Spanish', count: 2 },
      { name: 'Vietnamese', count: 1 }
    ]);
    expect(body.expertise).toEqual([
      { tag: 'labor trafficking', count: 2 },
      { tag: 'visas', count: 1 }
    ]);
    const disciplines = Object.fromEntries(
      (body.disciplines as { value: string; count: number }[]).map((d) => [d.value, d.count])
    );
    expect(disciplines).toMatchObject({ prosecution: 2, victim_services: 0, law_enforcement: 1 });
    expect(body.taskForces).toEqual([{ id: tf.id, name: 'Options Task Force' }]);

    const tags = await call(t.app, 'GET', '/api/directory/expertise', { cookie, query: { q: 'traff' } });
    expect(tags.json().tags).toEqual([{ tag: 'labor trafficking', count: 2 }]);
    const prefixFirst = await call(t.app, 'GET', '/api/directory/expertise', { cookie, query: { q: 'vi' } });
    expect(prefixFirst.json().tags[0]).toEqual({ tag: 'visas', count: 1 });
    const unlistedTag = await call(t.app, 'GET', '/api/directory/expertise', { cookie, query: { q: 'tribal' } });
    expect(unlistedTag.json().tags).toEqual([]);
    expect((await call(t.app, 'GET', '/api/directory/expertise', { cookie, query: { q: '' } })).statusCode).toBe(400);
  });
});
