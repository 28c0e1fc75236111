import { inject } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { asc } from 'drizzle-orm';
import { createDb, type Db } from '../../db/client.ts';
import { outbox } from '../../db/schema/index.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { FakeClock } from '../../server/shared/clock.ts';
import { OutboxMailer, type Mailer } from '../../server/mail/mailer.ts';
import type { Deps } from '../../server/context.ts';

export const ORIGIN = 'http://localhost:3000';
export const TEST_SECRET_KEY = 'a'.repeat(64);

/** Cheap Argon2 parameters for tests; production uses the OWASP defaults in config.ts. */
export const TEST_ENV = {
  NODE_ENV: 'test',
  PUBLIC_ORIGIN: ORIGIN,
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_ITERATIONS: '1',
  LOG_LEVEL: 'silent'
};

/** A fresh copy of the migrated template database (see global-setup.ts). */
export function freshDb(): Db {
  return createDb(Buffer.from(inject('templateDb'), 'base64'));
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  clock: FakeClock;
  deps: Deps;
  config: Config;
  /** Mails sent so far (the outbox table, the default mailer). */
  mails(): { to: string; subject: string; text: string }[];
  /** The first link in the newest mail to `to` whose path starts with `path`. */
  linkFor(to: string, path: string): string;
  close(): Promise<void>;
}

export async function makeApp(
  opts: { env?: Record<string, string>; mailer?: Mailer; logger?: Record<string, unknown> } = {}
): Promise<TestApp> {
  const db = freshDb();
  const clock = new FakeClock();
  const config = loadConfig({ ...TEST_ENV, ...opts.env });
  const app = await buildApp({
    db,
    config,
    clock,
    secretKey: TEST_SECRET_KEY,
    // With SMTP_URL set, buildApp uses the real SMTP mailer; otherwise the outbox, quietly.
    mailer: opts.mailer ?? (config.smtpUrl ? undefined : new OutboxMailer(db, clock, () => {})),
    ...(opts.logger ? { logger: opts.logger } : {})
  });
  await app.ready();
  const mails = () => db.select().from(outbox).orderBy(asc(outbox.id)).all();
  return {
    app,
    db,
    clock,
    deps: app.deps,
    config,
    mails,
    linkFor(to, path) {
      const mail = mails()
        .filter((m) => m.to === to && m.text.includes(`${ORIGIN}${path}`))
        .pop();
      if (!mail)
        throw new Error(`no mail to ${to} with a ${path} link; mails: ${JSON.stringify(mails().map((m) => [m.to, m.subject]))}`);
      const match = mail.text.match(new RegExp(`${ORIGIN.replace(/[.]/g, '\\.')}${path}\\?token=([a-z2-7]+)`));
      if (!match) throw new Error(`no token in ${mail.text}`);
      return match[1]!;
    },
    async close() {
      await app.close();
      db.$client.close();
    }
  };
}

export interface CallOptions {
  body?: unknown;
  cookie?: string;
  /** Send the same-origin Origin header (default for state-changing methods). */
  origin?: string | null;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** An HTTP call the way the browser makes it: Origin on state-changing requests, cookies kept by the caller. */
export async function call(app: FastifyInstance, method: InjectOptions['method'], url: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const safe = method === 'GET' || method === 'HEAD';
  const origin = opts.origin === undefined ? (safe ? null : ORIGIN) : opts.origin;
  if (origin) headers.origin = origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  return app.inject({
    method,
    url,
    headers,
    ...(opts.query ? { query: opts.query } : {}),
    ...(opts.body !== undefined ? { payload: opts.body as Record<string, unknown> } : {})
  });
}

/** The cookie header a browser would send back after this reply (name=value of each set cookie). */
export function cookiesFrom(res: { headers: Record<string, unknown> }, previous = ''): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.split('=')[0]!, c] as const)
  );
  const set = res.headers['set-cookie'];
  for (const raw of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
    const pair = raw.split(';')[0]!;
    const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(raw)) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
}
