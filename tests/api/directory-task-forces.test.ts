import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { setProfile } from '../support/directory.ts';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ env: { POST_INTERVAL_SECONDS: '0' } });
});
afterEach(async () => {
  await t.close();
});

function spotlight(
  authorId: number,
  taskForceId: number,
  title: string,
  opts: { publishedAt?: number | null; deletedAt?: number | null } = {}
) {
  const now = t.clock.now();
  t.db.$client
    .prepare(
      `INSERT INTO spotlights (kind, title, summary, featured_task_force_id, week, published_at, deleted_at, author_id, created_at, updated_at)
       VALUES ('task_force', ?, 'A summary.', ?, NULL, ?, ?, ?, ?, ?)`
    )
    .run(title, taskForceId, opts.publishedAt === undefined ? now : opts.publishedAt, opts.deletedAt ?? null, authorId, now, now);
}

describe('task forces for members', () => {
  it('lists every task force with its region and the listed members the viewer can place in it', async () => {
    const gulf = createTaskForce(t, {
      name: 'Gulf Coast Task Force',
      states: ['TX', 'LA'],
      region: 'Houston metro',
      leadAgency: 'HPD'
    });
    const plains = createTaskForce(t, { name: 'Plains Task Force', states: ['KS'] });
    const viewer = await createMember(t, { taskForceId: plains.id });
    await createMember(t, { taskForceId: gulf.id });
    await createMember(t, { taskForceId: gulf.id, status: 'suspended' });
    const unlisted = await createMember(t, { taskForceId: gulf.id });
    setProfile(t, unlisted.id, { listed: false });
    const res = await call(t.app, 'GET', '/api/task-forces', { cookie: sessionCookie(t, viewer.id) });
    expect(res.statusCode).toBe(200);
    expect(res.json().taskForces).toEqual([
      {
        id: gulf.id,
        name: 'Gulf Coast Task Force',
        states: ['TX', 'LA'],
        region: 'Houston metro',
        leadAgency: 'HPD',
        listedMemberCount: 1
      },
      {
        id: plains.id,
        name: 'Plains Task Force',
        states: ['KS'],
        region: '',
        leadAgency: 'Example County Sheriff',
        listedMemberCount: 1
      }
    ]);
  });

  it('shows one task force: its listed members, the resources the viewer may read, its published spotlights', async () => {
    const gulf = createTaskForce(t, { name: 'Gulf Coast Task Force', description: 'We cover the coast.' });
    const other = createTaskForce(t, { name: 'Other Task Force' });
    const insider = await createMember(t, { taskForceId: gulf.id, name: 'Ida Insider' });
    const outsider = await createMember(t, { taskForceId: other.id });
    const editor = await createMember(t, { role: 'editor' });
    const share = async (memberId: number, body: Record<string, unknown>) => {
      const res = await call(t.app, 'POST', '/api/resources', {
        cookie: sessionCookie(t, memberId),
        body: { type: 'protocol', url: 'https://example.org/guide', ...body }
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    await share(insider.id, { title: 'Open interview guide', originTaskForceId: gulf.id });
    await share(insider.id, {
      title: 'Internal shelter list',
      originTaskForceId: gulf.id,
      audience: 'restricted',
      taskForceIds: [gulf.id]
    });
    await share(outsider.id, { title: 'Somebody else’s guide', originTaskForceId: other.id });
    spotlight(editor.id, gulf.id, 'Gulf Coast in the spotlight');
    spotlight(editor.id, gulf.id, 'Not yet published', { publishedAt: null });
    spotlight(editor.id, gulf.id, 'Withdrawn', { deletedAt: t.clock.now() });

    const page = async (memberId: number) => {
      const res = await call(t.app, 'GET', `/api/task-forces/${gulf.id}`, { cookie: sessionCookie(t, memberId) });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    const seenByOutsider = await page(outsider.id);
    expect(seenByOutsider.taskForce).toMatchObject({
      id: gulf.id,
      name: 'Gulf Coast Task Force',
      description: 'We cover the coast.',
      listedMemberCount: 1
    });
    expect(seenByOutsider.members.map((m: { displayName: string }) => m.displayName)).toEqual(['Ida Insider']);
    expect(seenByOutsider.resources.map((r: { title: string }) => r.title)).toEqual(['Open interview guide']);
    expect(seenByOutsider.spotlights.map((s: { title: string }) => s.title)).toEqual(['Gulf Coast in the spotlight']);
    const seenByInsider = await page(insider.id);
    expect(seenByInsider.resources.map((r: { title: string }) => r.title).sort()).toEqual([
      'Internal shelter list',
      'Open interview guide'
    ]);

    expect((await call(t.app, 'GET', '/api/task-forces/999999', { cookie: sessionCookie(t, outsider.id) })).statusCode).toBe(404);
  });
});

describe('admin task-force details', () => {
  it('saves a region and a description, optional and kept when omitted', async () => {
    const admin = await createMember(t, { role: 'admin' });
    const cookie = sessionCookie(t, admin.id);
    const base = { name: 'New Frontier Task Force', states: ['NM'], leadAgency: 'Santa Fe PD', grantEndsOn: null };
    const created = await call(t.app, 'POST', '/api/admin/task-forces', {
      cookie,
      body: { ...base, region: '  Northern   New Mexico ', description: 'Pueblos and\r\nborder towns.' }
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    const list = async () =>
      ((await call(t.app, 'GET', '/api/admin/task-forces', { cookie })).json().taskForces as { id: number }[]).find(
        (x) => x.id === id
      );
    expect(await list()).toMatchObject({ region: 'Northern New Mexico', description: 'Pueblos and\nborder towns.' });

    expect((await call(t.app, 'PATCH', `/api/admin/task-forces/${id}`, { cookie, body: base })).statusCode).toBe(200);
    expect(await list()).toMatchObject({ region: 'Northern New Mexico' });
    await call(t.app, 'PATCH', `/api/admin/task-forces/${id}`, { cookie, body: { ...base, region: '' } });
    expect(await list()).toMatchObject({ region: '', description: 'Pueblos and\nborder towns.' });

    const tooLong = await call(t.app, 'PATCH', `/api/admin/task-forces/${id}`, {
      cookie,
      body: { ...base, description: 'x'.repeat(2001) }
    });
    expect(tooLong.statusCode).toBe(400);
    const member = await createMember(t);
    const page = await call(t.app, 'GET', `/api/task-forces/${id}`, { cookie: sessionCookie(t, member.id) });
    expect(page.json().taskForce).toMatchObject({ region: '', description: 'Pueblos and\nborder towns.' });
  });
});
