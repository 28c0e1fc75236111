import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { FakeClock } from '../../server/shared/clock.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { call, cookiesFrom, freshDb, TEST_ENV, TEST_SECRET_KEY } from '../support/app.ts';
import { createMember } from '../support/factories.ts';
import type { FastifyInstance } from 'fastify';

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('logs', () => {
  it('carry request ids and never a password, session token, link token or TOTP code', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      }
    });
    const db = freshDb();
    const clock = new FakeClock();
    const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'info' });
    app = await buildApp({
      db,
      config,
      clock,
      secretKey: TEST_SECRET_KEY,
      mailer: new OutboxMailer(db, clock, () => {}),
      logStream: stream
    });
    await app.ready();
    const t = { app, db, clock, deps: app.deps, config } as unknown as Parameters<typeof createMember>[0];
    const member = await createMember(t, { role: 'moderator' });

    const step1 = await call(app, 'POST', '/api/auth/sign-in', { body: { email: member.email, password: member.password } });
    const challengeCookie = cookiesFrom(step1);
    const code = member.code();
    const step2 = await call(app, 'POST', '/api/auth/mfa', { cookie: challengeCookie, body: { code } });
    const session = cookiesFrom(step2);
    expect(step2.statusCode).toBe(200);
    await call(app, 'GET', '/api/me', { cookie: session });
    await call(app, 'POST', '/api/auth/password-reset/request', { body: { email: member.email } });
    await app.deps.bus.idle();
    const resetToken = (db.$client.prepare('SELECT text FROM outbox ORDER BY id DESC').get() as { text: string }).text.match(
      /token=([a-z2-7]+)/
    )![1]!;
    await call(app, 'GET', `/api/auth/password-reset?token=${resetToken}`);

    const log = lines.join('');
    expect(log).toMatch(/"reqId":"[a-z2-7]{12}"/);
    const secrets = [member.password, code, session.split('=')[1]!, challengeCookie.split('=')[1]!, resetToken];
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
