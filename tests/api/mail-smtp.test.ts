import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SmtpMailer } from '../../server/mail/mailer.ts';
import { call, cookiesFrom, makeApp, ORIGIN, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';

interface Received {
  envelopeTo: string[];
  headers: Record<string, string>;
  text: string;
}

const MAIL_FROM = 'Task Force Connect <no-reply@connect.example.gov>';

/** Reads one raw RFC 5322 message: unfolded headers, and the body decoded from its transfer encoding. */
function parseMessage(raw: string): Omit<Received, 'envelopeTo'> {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let bytes: Buffer;
  if (encoding === 'quoted-printable') {
    const joined = body.replace(/=\r?\n/g, '');
    const out: number[] = [];
    for (let i = 0; i < joined.length; i++) {
      if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
        out.push(parseInt(joined.slice(i + 1, i + 3), 16));
        i += 2;
      } else out.push(...Buffer.from(joined[i]!, 'utf8'));
    }
    bytes = Buffer.from(out);
  } else if (encoding === 'base64') {
    bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  } else {
    bytes = Buffer.from(body, 'utf8');
  }
  return { headers, text: bytes.toString('utf8').replace(/\r\n/g, '\n') };
}

let server: SMTPServer;
let received: Received[];
let t: TestApp;

beforeEach(async () => {
  received = [];
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          ...parseMessage(Buffer.concat(chunks).toString('utf8'))
        });
        callback();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  t = await makeApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM } });
});

afterEach(async () => {
  await t.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Waits for the bus, then polls: delivery ends only when the SMTP server has accepted the message. */
async function mailTo(to: string, path: string, count = 1): Promise<Received> {
  await t.deps.bus.idle();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const matching = received.filter((m) => m.envelopeTo.includes(to) && m.text.includes(`${ORIGIN}${path}?token=`));
    if (matching.length >= count) return matching[count - 1]!;
    if (Date.now() > deadline) {
      throw new Error(
        `no mail to ${to} with ${path}; got ${JSON.stringify(received.map((m) => [m.envelopeTo, m.headers.subject]))}`
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function tokenIn(mail: Received, path: string): string {
  const match = mail.text.match(new RegExp(`${ORIGIN.replace(/\./g, '\\.')}${path}\\?token=([a-z2-7]+)`));
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return match[1]!;
}

describe('mail through a real SMTP server', () => {
  it('uses the SMTP mailer, not the outbox', () => {
    expect(t.config.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(t.deps.mailer).toBeInstanceOf(SmtpMailer);
  });

  it('carries an applicant from request to signed-in member, every link read from the delivered mail', async () => {
    const email = 'dana.whitfield@sheriff.example.gov';
    const tf = createTaskForce(t);
    const coordinator = await createMember(t, { role: 'coordinator', taskForceId: tf.id });

    const requested = await call(t.app, 'POST', '/api/membership-requests', {
      body: {
        fullName: 'Dana Whitfield',
        email,
        agency: 'Example County Sheriff',
        jobTitle: 'Detective',
        discipline: 'law_enforcement',
        taskForceId: tf.id,
        supervisorName: 'Sgt. Lee Park',
        supervisorContact: 'lee.park@sheriff.example.gov',
        reason: 'I investigate labor trafficking cases and want to learn from peers.'
      }
    });
    expect(requested.statusCode).toBe(202);

    const confirmMail = await mailTo(email, '/request-access/confirm');
    expect(confirmMail.headers.from).toBe(MAIL_FROM);
    expect(confirmMail.headers.to).toContain(email);
    expect(confirmMail.headers.subject).toMatch(/Confirm your e-mail address/);
    // The footer's em dash survives the transfer encoding.
    expect(confirmMail.text).toContain('— Task Force Connect');
    const confirmed = await call(t.app, 'POST', '/api/membership-requests/confirm', {
      body: { token: tokenIn(confirmMail, '/request-access/confirm') }
    });
    expect(confirmed.statusCode).toBe(200);

    const inReview = await mailTo(email, '/request-status');
    expect(tokenIn(inReview, '/request-status')).toBe(confirmed.json().statusToken);

    const cookie = sessionCookie(t, coordinator.id);
    const queue = await call(t.app, 'GET', '/api/admin/membership-requests', { cookie });
    expect(queue.json().requests).toHaveLength(1);
    const approved = await call(t.app, 'POST', `/api/admin/membership-requests/${queue.json().requests[0].id}/approve`, {
      cookie
    });
    expect(approved.statusCode).toBe(200);

    const welcome = await mailTo(email, '/activate');
    expect(welcome.headers.subject).toMatch(/activate your account/);
    const password = 'granite meadow pocket violin';
    const activated = await call(t.app, 'POST', '/api/activation', {
      body: { token: tokenIn(welcome, '/activate'), password }
    });
    expect(activated.statusCode).toBe(200);
    const accepted = await call(t.app, 'POST', '/api/onboarding/notice', {
      cookie: cookiesFrom(activated),
      body: { accept: true }
    });
    expect(accepted.statusCode).toBe(200);

    const signedIn = await call(t.app, 'POST', '/api/auth/sign-in', { body: { email, password } });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toEqual({ next: 'home' });
    const me = await call(t.app, 'GET', '/api/me', { cookie: cookiesFrom(signedIn) });
    expect(me.json().member).toMatchObject({ email, status: 'active', onboarding: null });

    expect(received.every((m) => m.headers.from === MAIL_FROM)).toBe(true);
    expect(received.map((m) => m.envelopeTo)).toEqual([[email], [email], [email]]);
    expect(t.mails()).toHaveLength(0);
  });
});
