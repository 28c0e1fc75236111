import { afterEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce, sessionCookie } from '../support/factories.ts';
import { makeCategory, signedMember, startThread, type Signed } from '../support/discussions.ts';
import { runAccessJob } from '../../server/jobs/access.ts';
import { DAY, MINUTE } from '../../server/shared/clock.ts';
import { eventually, listeningApp, LiveClient } from './realtime-helpers.ts';

let t: TestApp;
let url: string;
const clients: LiveClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.close();
});

async function live(cookie: string, opts: { autoPong?: boolean } = {}): Promise<LiveClient> {
  const client = await LiveClient.connect(url, { cookie, ...opts });
  clients.push(client);
  await client.next('hello');
  return client;
}

/** Resolves with the close code, failing if the socket is still open after 5 s. */
async function closedWithin5s(client: LiveClient): Promise<number> {
  const started = Date.now();
  const { code } = await Promise.race([
    client.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket still open after 5 s')), 5000))
  ]);
  expect(Date.now() - started).toBeLessThan(5000);
  return code;
}

describe('sockets close when the session or the access ends', () => {
  it('signing out closes that session’s sockets (4401) and no other session’s', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    const laptop = await live(member.cookie);
    const phoneCookie = sessionCookie(t, member.id);
    const phone = await live(phoneCookie);
    expect((await call(t.app, 'POST', '/api/auth/sign-out', { cookie: member.cookie })).statusCode).toBeLessThan(300);
    expect(await closedWithin5s(laptop)).toBe(4401);
    expect(phone.socket.readyState).toBe(phone.socket.OPEN);
    expect(t.app.hub.socketsOf(member.id)).toBe(1);
  });

  it('"sign out everywhere" closes every socket of the member (4401)', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    const sockets = [await live(member.cookie), await live(sessionCookie(t, member.id))];
    expect((await call(t.app, 'POST', '/api/account/sessions/revoke-all', { cookie: member.cookie })).statusCode).toBe(200);
    for (const s of sockets) expect(await closedWithin5s(s)).toBe(4401);
    expect(t.app.hub.socketsOf(member.id)).toBe(0);
  });

  it('suspending a member closes their sockets (4403); so does the end of their access', async () => {
    ({ t, url } = await listeningApp());
    const admin = await signedMember(t, { role: 'admin' });
    const member = await signedMember(t);
    const client = await live(member.cookie);
    const suspended = await call(t.app, 'POST', `/api/admin/members/${member.id}/suspend`, {
      cookie: admin.cookie,
      body: { reason: 'Left the agency.' }
    });
    expect(suspended.statusCode).toBe(200);
    expect(await closedWithin5s(client)).toBe(4403);

    const tf = createTaskForce(t, { grantEndsAt: t.clock.now() + DAY });
    const expiring = await signedMember(t, { taskForceId: tf.id });
    const other = await live(expiring.cookie);
    t.clock.advance(DAY + MINUTE);
    runAccessJob(t.deps);
    expect(await closedWithin5s(other)).toBe(4403);
  });

  it('a session that idles out closes its socket at the next heartbeat', async () => {
    ({ t, url } = await listeningApp({ WS_HEARTBEAT_MS: '100' }));
    const member = await signedMember(t);
    const client = await live(member.cookie);
    t.clock.advance(31 * MINUTE);
    expect(await closedWithin5s(client)).toBe(4401);
  });
});

describe('bounded resources', () => {
  it('at most 10 sockets per member: the 11th closes the oldest (4409)', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    const open: LiveClient[] = [];
    for (let i = 0; i < 10; i++) open.push(await live(member.cookie));
    expect(t.app.hub.socketsOf(member.id)).toBe(10);
    const eleventh = await live(member.cookie);
    expect(await closedWithin5s(open[0]!)).toBe(4409);
    expect(t.app.hub.socketsOf(member.id)).toBe(10);
    expect(eleventh.socket.readyState).toBe(eleventh.socket.OPEN);
    expect(open.slice(1).every((c) => c.socket.readyState === c.socket.OPEN)).toBe(true);
  });

  it('a slow client is dropped once its unsent bytes pass the limit, instead of growing memory', async () => {
    ({ t, url } = await listeningApp({ WS_MAX_BUFFERED_KB: '64' }));
    const admin = await signedMember(t, { role: 'admin' });
    const category = await makeCategory(t, admin);
    const { threadId } = await startThread(t, admin, category);
    const reader: Signed = await signedMember(t);
    const slow = await live(reader.cookie);
    await slow.subscribe(threadId);
    const healthy = await live(admin.cookie);
    await healthy.subscribe(threadId);
    // The slow client stops reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 200 && t.app.hub.socketsOf(reader.id) > 0; i++) {
      t.app.hub.toThread(threadId, { type: 'thread.changed', thread: threadId, action: big });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(t.app.hub.socketsOf(reader.id)).toBe(0);
    expect(t.app.hub.stats().dropped.slow).toBe(1);
    // The healthy reader kept up and stays.
    expect(t.app.hub.socketsOf(admin.id)).toBe(1);
  });

  it('heartbeat: a socket that stops answering pings is dropped; one that answers stays', async () => {
    ({ t, url } = await listeningApp({ WS_HEARTBEAT_MS: '100' }));
    const member = await signedMember(t);
    const dead = await live(member.cookie, { autoPong: false });
    const alive = await live(sessionCookie(t, member.id));
    await eventually(() => t.app.hub.stats().dropped.heartbeat === 1, 'the dead socket to be dropped');
    expect(await closedWithin5s(dead)).toBe(1006);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
    expect(t.app.hub.socketsOf(member.id)).toBe(1);
  });
});
