import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISCIPLINES, type Discipline } from '../../db/schema/index.ts';
import { memberCanReadCategory, readableCategoryIds } from '../../server/modules/discussions/access.ts';
import { textColourOn } from '../../server/modules/discussions/categories.ts';
import { canReadCategory } from '../../server/policies/discussions.ts';
import type { Actor } from '../../server/policies/index.ts';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce } from '../support/factories.ts';
import { auditOf, discussionsApp, makeCategory, signedMember, type Signed } from '../support/discussions.ts';

let t: TestApp;
let admin: Signed;
beforeEach(async () => {
  t = await discussionsApp();
  admin = await signedMember(t, { role: 'admin' });
});
afterEach(async () => {
  await t.close();
});

const validBody = {
  name: 'Prosecutors only',
  description: 'Charging decisions and trial practice.',
  position: 3,
  colour: '#7A1F5C',
  taskForceIds: [] as number[],
  disciplines: ['prosecution'] as Discipline[]
};

describe('admin: categories', () => {
  it('creates, lists and updates a category, with an audit row for each change', async () => {
    const tf = createTaskForce(t);
    const created = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: admin.cookie,
      body: { ...validBody, taskForceIds: [tf.id] }
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const list = await call(t.app, 'GET', '/api/admin/categories', { cookie: admin.cookie });
    expect(list.json().categories).toEqual([
      expect.objectContaining({
        id,
        name: 'Prosecutors only',
        colour: '#7a1f5c',
        textColour: '#ffffff',
        isPrivate: true,
        taskForceIds: [tf.id],
        disciplines: ['prosecution'],
        position: 3
      })
    ]);
    const updated = await call(t.app, 'PATCH', `/api/admin/categories/${id}`, {
      cookie: admin.cookie,
      body: { ...validBody, name: 'Everyone: trial practice', taskForceIds: [], disciplines: [] }
    });
    expect(updated.statusCode).toBe(200);
    const after = (await call(t.app, 'GET', '/api/admin/categories', { cookie: admin.cookie })).json().categories[0];
    expect(after).toMatchObject({ name: 'Everyone: trial practice', isPrivate: false, taskForceIds: [], disciplines: [] });
    expect(auditOf(t, 'category.created')).toEqual([
      expect.objectContaining({ actorId: admin.id, targetType: 'category', targetId: String(id) })
    ]);
    expect(auditOf(t, 'category.updated')[0]!.detail).toMatchObject({
      name: 'Everyone: trial practice',
      previousName: 'Prosecutors only',
      wasPrivate: true
    });
  });

  it('refuses a bad colour, a duplicate name, an unknown task force and an unknown discipline, with clear messages', async () => {
    const bad = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: admin.cookie,
      body: { ...validBody, colour: 'red' }
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.colour).toBeDefined();
    const short = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: admin.cookie,
      body: { ...validBody, colour: '#abc' }
    });
    expect(short.statusCode).toBe(400);

    await makeCategory(t, admin, { name: 'Labor trafficking' });
    const dup = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: admin.cookie,
      body: { ...validBody, name: '  labor   TRAFFICKING ' }
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toMatch(/already exists/);

    const tf = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: admin.cookie,
      body: { ...validBody, taskForceIds: [999] }
    });
    expect(tf.statusCode).toBe(400);
    expect(tf.json().error.fields.taskForceIds).toBeDefined();

    const disc = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: admin.cookie,
      body: { ...validBody, disciplines: ['astrology'] }
    });
    expect(disc.statusCode).toBe(400);

    const missing = await call(t.app, 'PATCH', '/api/admin/categories/999', { cookie: admin.cookie, body: validBody });
    expect(missing.statusCode).toBe(404);
  });

  it('is for admins only: moderators and members are refused', async () => {
    for (const role of ['member', 'moderator', 'coordinator', 'editor'] as const) {
      const who = await signedMember(t, { role });
      expect((await call(t.app, 'GET', '/api/admin/categories', { cookie: who.cookie })).statusCode, role).toBe(403);
      expect((await call(t.app, 'POST', '/api/admin/categories', { cookie: who.cookie, body: validBody })).statusCode, role).toBe(
        403
      );
    }
  });

  it('the text colour on any category colour reaches 4.5:1 (WCAG AA)', () => {
    const contrast = (a: string, b: string) => {
      const lum = (hex: string) => {
        const [r, g, bl] = [1, 3, 5].map((i) => {
          const c = parseInt(hex.slice(i, i + 2), 16) / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
      };
      const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
      return (x! + 0.05) / (y! + 0.05);
    };
    for (let v = 0; v < 0x1000000; v += 0x0f0f0f + 0x010203) {
      const hex = `#${v.toString(16).padStart(6, '0')}`;
      expect(contrast(hex, textColourOn(hex)), hex).toBeGreaterThanOrEqual(4.5);
    }
    expect(textColourOn('#ffffff')).toBe('#000000');
    expect(textColourOn('#000000')).toBe('#ffffff');
  });
});

describe('members: the category list', () => {
  it('lists only readable categories, in the admins’ order, with counts and the audience of private ones', async () => {
    const houston = createTaskForce(t, { name: 'Houston Area Task Force' });
    const publicId = await makeCategory(t, admin, { name: 'General practice', position: 2 });
    const mine = await makeCategory(t, admin, { name: 'Houston task force', position: 1, taskForceIds: [houston.id] });
    await makeCategory(t, admin, { name: 'Prosecutors only', position: 0, disciplines: ['prosecution'] });
    const member = await signedMember(t, { taskForceId: houston.id, discipline: 'law_enforcement' });
    const res = await call(t.app, 'GET', '/api/discussions/categories', { cookie: member.cookie });
    expect(res.statusCode).toBe(200);
    const list = res.json().categories;
    expect(list.map((c: { id: number }) => c.id)).toEqual([mine, publicId]);
    expect(list[0]).toMatchObject({
      isPrivate: true,
      audience: { taskForces: [{ id: houston.id, name: 'Houston Area Task Force' }], disciplines: [] },
      threadCount: 0,
      postCount: 0,
      notificationLevel: 'normal'
    });
    expect(list[1]).toMatchObject({ isPrivate: false, audience: null });
    // A moderator reads everything.
    const moderator = await signedMember(t, { role: 'moderator' });
    expect(
      (await call(t.app, 'GET', '/api/discussions/categories', { cookie: moderator.cookie })).json().categories
    ).toHaveLength(3);
  });

  it('refuses pending and signed-out callers', async () => {
    const pending = await signedMember(t, { status: 'pending', noticeAccepted: false });
    expect((await call(t.app, 'GET', '/api/discussions/categories', { cookie: pending.cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'GET', '/api/discussions/categories')).statusCode).toBe(401);
  });
});

describe('the read rule: one rule, three shapes, always in agreement', () => {
  it('canReadCategory (JS), READABLE_CATEGORY_IDS_SQL and memberReadsCategorySql agree for every role × task force × discipline × category', async () => {
    const tfA = createTaskForce(t);
    const tfB = createTaskForce(t);
    const categories = [
      { taskForceIds: [], disciplines: [] },
      { taskForceIds: [tfA.id], disciplines: [] },
      { taskForceIds: [], disciplines: ['prosecution', 'victim_services'] },
      { taskForceIds: [tfB.id], disciplines: ['law_enforcement'] },
      { taskForceIds: [tfA.id, tfB.id], disciplines: [] }
    ] as { taskForceIds: number[]; disciplines: Discipline[] }[];
    const ids: number[] = [];
    for (const c of categories) ids.push(await makeCategory(t, admin, c));
    let checked = 0;
    for (const role of ['member', 'coordinator', 'moderator', 'editor', 'admin'] as const) {
      for (const taskForceId of [null, tfA.id, tfB.id]) {
        for (const discipline of DISCIPLINES) {
          const m = await signedMember(t, { role, taskForceId, discipline });
          // The actor exactly as a request sees it.
          const actor = t.deps.sessions.validate(m.cookie.split('=')[1]!) as Actor;
          const viaSql = new Set(readableCategoryIds({ db: t.db, actor }));
          categories.forEach((c, i) => {
            const js = canReadCategory(actor, { isPrivate: c.taskForceIds.length + c.disciplines.length > 0, ...c });
            const label = `${role} tf=${taskForceId} ${discipline} category#${i}`;
            expect(viaSql.has(ids[i]!), label).toBe(js);
            expect(memberCanReadCategory(t.db, m.id, ids[i]!), label).toBe(js);
            checked++;
          });
        }
      }
    }
    expect(checked).toBe(5 * 3 * DISCIPLINES.length * categories.length);
    // And nobody reads anything when not an active member.
    expect(readableCategoryIds({ db: t.db, actor: null })).toEqual([]);
  });
});
