import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createDb, runMigrations, type Db } from '../../db/client.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { DAY, FakeClock } from '../../server/shared/clock.ts';
import { TEST_ENV, TEST_SECRET_KEY, type TestApp } from '../support/app.ts';
import { sessionCookie } from '../support/factories.ts';
import { makeCategory, replyTo, signedMember, startThread, type Signed } from '../support/discussions.ts';
import { listeningApp, LiveClient, settle } from './realtime-helpers.ts';

const clients: LiveClient[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function connect(url: string, who: { cookie: string }, after?: number) {
  const client = await LiveClient.connect(url, { cookie: who.cookie, ...(after !== undefined ? { after } : {}) });
  clients.push(client);
  return client;
}

/** A thread started by `watcher` (who thereby watches it), and someone to reply in it. */
async function forum(t: TestApp) {
  const admin = await signedMember(t, { role: 'admin' });
  const categoryId = await makeCategory(t, admin);
  const watcher = await signedMember(t, { name: 'Blake Watcher' });
  const replier = await signedMember(t, { name: 'Avery Replier' });
  const { threadId } = await startThread(t, watcher, categoryId, { title: 'Interview tips' });
  return { watcher, replier, threadId };
}

describe('replay after a reconnect', () => {
  it('sends exactly the missed notifications, in order, then continues live without repeats', async () => {
    const { t, url } = await listeningApp();
    cleanups.push(() => t.close());
    const { watcher, replier, threadId } = await forum(t);
    const first = await connect(url, watcher);
    await replyTo(t, replier, threadId, 'Reply one.');
    const seen = await first.next('notification');
    first.close();
    await settle(t);

    const missed: number[] = [];
    for (const body of ['Reply two.', 'Reply three.', 'Reply four.'])
      missed.push((await replyTo(t, replier, threadId, body)).postId);
    await settle(t);

    const again = await connect(url, watcher, seen.id);
    const hello = await again.next('hello');
    expect(hello).toMatchObject({ replaying: 3, unreadCount: 4 });
    await settle(t);
    const replayed = again.notifications();
    expect(replayed.map((m) => m.notification.url)).toEqual(missed.map((id) => `/discussions/p/${id}`));
    expect(replayed.every((m) => m.replay === true && m.unreadCount === 4)).toBe(true);
    const ids = replayed.map((m) => m.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids[0]).toBeGreaterThan(seen.id);
    expect(hello.lastId).toBe(ids.at(-1));

    const live = await replyTo(t, replier, threadId, 'Reply five.');
    await again.next('notification', (m) => m.notification.url === `/discussions/p/${live.postId}`);
    await settle(t);
    expect(again.notifications().map((m) => m.id)).toEqual([...ids, again.notifications().at(-1)!.id]);
    expect(new Set(again.notifications().map((m) => m.id)).size).toBe(4);
  });

  it('is bounded: a gap older than 7 days, over 1,000 notifications, or an unknown cursor gets a reset', async () => {
    const { t, url } = await listeningApp();
    cleanups.push(() => t.close());
    const { watcher, replier, threadId } = await forum(t);
    const fresh = (who: Signed) => ({ cookie: sessionCookie(t, who.id) });

    await replyTo(t, replier, threadId, 'Old reply.');
    t.clock.advance(8 * DAY);
    await replyTo(t, { ...replier, ...fresh(replier) }, threadId, 'New reply.');
    await settle(t);
    const stale = await connect(url, fresh(watcher), 0);
    expect(await stale.next('reset')).toMatchObject({ unreadCount: 2 });
    expect(stale.of('hello')).toEqual([]);
    expect(stale.notifications()).toEqual([]);

    const future = await connect(url, fresh(watcher), 10_000_000);
    expect(await future.next('reset')).toMatchObject({ type: 'reset', lastId: expect.any(Number) });

    // 1,000 missed are replayed; one more is a reset.
    const other = await signedMember(t);
    const insert = t.db.$client.prepare(
      "INSERT INTO notifications (member_id, kind, data, created_at) VALUES (?, 'access_expiring', '{\"daysLeft\":7}', ?)"
    );
    t.db.$client.transaction(() => {
      for (let i = 0; i < 1000; i++) insert.run(other.id, t.clock.now());
    })();
    const full = await connect(url, other, 0);
    expect(await full.next('hello')).toMatchObject({ replaying: 1000, unreadCount: 1000 });
    await full.next('notification', () => full.notifications().length === 1000);
    insert.run(other.id, t.clock.now());
    const over = await connect(url, other, 0);
    expect(await over.next('reset')).toMatchObject({ unreadCount: 1001 });
  });
});

/** An app on a database FILE, as main.ts runs it: closing it and building another on the file is a restart. */
async function fileApp(file: string, clock: FakeClock): Promise<{ t: TestApp; url: string; db: Db }> {
  const db = createDb(file);
  runMigrations(db);
  const config = loadConfig({ ...TEST_ENV, POST_INTERVAL_SECONDS: '0' });
  const app = await buildApp({ db, config, clock, secretKey: TEST_SECRET_KEY, mailer: new OutboxMailer(db, clock, () => {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const t: TestApp = {
    app,
    db,
    clock,
    deps: app.deps,
    config,
    mails: () => [],
    linkFor: () => {
      throw new Error('not used here');
    },
    async close() {
      await app.close();
      db.$client.close();
    }
  };
  return { t, url: `ws://127.0.0.1:${port}/api/ws`, db };
}

describe('replay after a server restart', () => {
  it('loses nothing that was committed: a reconnecting client gets every notification after its cursor', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tfc-realtime-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'tfc.sqlite');
    const clock = new FakeClock();

    const before = await fileApp(file, clock);
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await before.t.close();
    });
    const { watcher, replier, threadId } = await forum(before.t);
    const watching = await connect(before.url, watcher);
    await replyTo(before.t, replier, threadId, 'Before the restart, seen.');
    const seen = await watching.next('notification');
    watching.close();
    const onlyCommitted = (await replyTo(before.t, replier, threadId, 'Before the restart, missed.')).postId;
    await settle(before.t);
    // A client still connected when the server stops is told to come back.
    const bystander = await connect(before.url, replier);
    await bystander.next('hello');
    await before.t.close();
    closed = true;
    expect((await bystander.closed).code).toBe(1001);

    const after = await fileApp(file, clock);
    cleanups.push(() => after.t.close());
    const afterRestart = (await replyTo(after.t, replier, threadId, 'After the restart.')).postId;
    await settle(after.t);
    const back = await connect(after.url, watcher, seen.id);
    expect(await back.next('hello')).toMatchObject({ replaying: 2, unreadCount: 3 });
    await back.next('notification', () => back.notifications().length === 2);
    expect(back.notifications().map((m) => m.notification.url)).toEqual([
      `/discussions/p/${onlyCommitted}`,
      `/discussions/p/${afterRestart}`
    ]);
  });
});
