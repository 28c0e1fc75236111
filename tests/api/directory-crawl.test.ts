import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { call, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { givePhoto, setProfile } from '../support/directory.ts';
import { makeResourceApp } from '../support/resources.ts';

/** Reading the directory changes nothing: every GET of its routes, as admin, member and signed out. */

let t: TestApp;
beforeEach(async () => {
  t = await makeResourceApp();
});
afterEach(async () => {
  await t.close();
});

function snapshot(db: Db) {
  const tables = db.$client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'audit_log' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, db.$client.prepare(`SELECT * FROM "${name}"`).all()]));
}

describe('GET never changes state', () => {
  it('crawls profile, members, options, autocomplete, task forces, pictures and search', async () => {
    const tf = createTaskForce(t, { name: 'Crawl Task Force' });
    const admin = await createMember(t, { role: 'admin' });
    const member = await createMember(t, { taskForceId: tf.id });
    const photo = await givePhoto(t, sessionCookie(t, member.id));
    setProfile(t, member.id, { expertise: ['labor trafficking'], state: 'TX', photoImageId: photo });
    const urls = [
      '/api/profile',
      '/api/members',
      '/api/members?q=member&state=TX&expertise=labor%20trafficking',
      `/api/members/${member.id}`,
      '/api/directory/options',
      '/api/directory/expertise?q=lab',
      '/api/task-forces',
      `/api/task-forces/${tf.id}`,
      `/api/images/${photo}`,
      '/api/search?q=member'
    ];
    const cookies = [sessionCookie(t, admin.id), sessionCookie(t, member.id)];
    const before = snapshot(t.db);
    for (const url of urls) {
      for (const cookie of cookies) {
        const res = await call(t.app, 'GET', url, { cookie });
        expect(res.statusCode, url).toBe(200);
        const head = await t.app.inject({ method: 'HEAD', url, headers: { cookie } });
        expect(head.statusCode, `HEAD ${url}`).toBe(200);
      }
      expect((await call(t.app, 'GET', url)).statusCode, url).toBe(401);
    }
    expect(snapshot(t.db)).toEqual(before);
  });
});
