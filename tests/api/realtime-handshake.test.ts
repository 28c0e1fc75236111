import { afterEach, describe, expect, it } from 'vitest';
import { call, type TestApp } from '../support/app.ts';
import { createMember, sessionCookie } from '../support/factories.ts';
import { signedMember } from '../support/discussions.ts';
import { handshakeStatus, listeningApp, LiveClient } from './realtime-helpers.ts';

let t: TestApp;
let url: string;
const clients: LiveClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.close();
});

describe('GET /api/ws: the handshake', () => {
  it('opens for an active member with a same-origin Origin and says hello with the unread count', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    const client = await LiveClient.connect(url, { cookie: member.cookie });
    clients.push(client);
    expect(await client.next('hello')).toEqual({ type: 'hello', lastId: 0, unreadCount: 0, replaying: 0 });
    expect(t.app.hub.socketsOf(member.id)).toBe(1);
  });

  it('is refused before the upgrade without a session, or with an unknown one', async () => {
    ({ t, url } = await listeningApp());
    expect(await handshakeStatus(url, {})).toBe(401);
    expect(await handshakeStatus(url, { cookie: 'tfc_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).toBe(401);
    expect(t.app.hub.stats().sockets).toBe(0);
  });

  it('is refused with a foreign Origin, a look-alike one, or none (403)', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    for (const origin of ['https://evil.example', 'http://localhost:3000.evil.example', 'http://localhost:3001', null]) {
      expect(await handshakeStatus(url, { cookie: member.cookie, origin }), String(origin)).toBe(403);
    }
    expect(t.app.hub.stats().sockets).toBe(0);
  });

  it('is refused for suspended, expired and disabled members (their sessions no longer count) and pending ones (403)', async () => {
    ({ t, url } = await listeningApp());
    for (const status of ['suspended', 'expired', 'disabled'] as const) {
      const member = await createMember(t, { status });
      expect(await handshakeStatus(url, { cookie: sessionCookie(t, member.id) }), status).toBe(401);
    }
    const pending = await createMember(t, { status: 'pending', noticeAccepted: false });
    expect(await handshakeStatus(url, { cookie: sessionCookie(t, pending.id) })).toBe(403);
    const unfinished = await createMember(t, { noticeAccepted: false });
    expect(await handshakeStatus(url, { cookie: sessionCookie(t, unfinished.id) })).toBe(403);
    expect(t.app.hub.stats().sockets).toBe(0);
  });

  it('refuses a cursor that is not a number (400) and answers a plain GET with 426', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    expect(await handshakeStatus(url, { cookie: member.cookie, after: 'abc' })).toBe(400);
    expect(await handshakeStatus(url, { cookie: member.cookie, after: '-1' })).toBe(400);
    expect(await handshakeStatus(url, { cookie: member.cookie, after: 'Infinity' })).toBe(400);
    const plain = await call(t.app, 'GET', '/api/ws', { cookie: member.cookie });
    expect(plain.statusCode).toBe(426);
    expect(plain.json().error.code).toBe('upgrade_required');
    expect((await call(t.app, 'GET', '/api/ws')).statusCode).toBe(401);
  });

  it('answers bad client messages with an error, and closes a socket that floods', async () => {
    ({ t, url } = await listeningApp());
    const member = await signedMember(t);
    const client = await LiveClient.connect(url, { cookie: member.cookie });
    clients.push(client);
    client.send('not json');
    expect((await client.next('error')).code).toBe('invalid');
    client.send({ type: 'subscribe', thread: 'one' });
    await client.next('error', (m) => /thread id/.test(m.message));
    client.send({ type: 'shout' });
    await client.next('error', (m) => /Unknown message type/.test(m.message));
    for (let i = 0; i < 70; i++) client.send({ type: 'unsubscribe', thread: 1 });
    expect((await client.closed).code).toBe(1008);
  });
});
