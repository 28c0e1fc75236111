import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createDb, runMigrations } from '../../db/client.ts';
import { members } from '../../db/schema/index.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { sessionCookieName } from '../../server/plugins/auth.ts';
import { systemClock } from '../../server/shared/clock.ts';
import { hashPassword } from '../../server/shared/passwords.ts';
import { LOAD, load, percentile } from './load.ts';
import { machine, type Report, type Row } from './report.ts';

const ARGON2_SAMPLES = 20;
const PASSWORD = 'benchmark lantern orchard velvet';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/**
 * Session-authenticated API routes against their ceiling: a bare Fastify route in the same process
 * returning the same bytes (STACK.md: a reply's size alone halves a bare route's throughput).
 * Sign-in is not loaded: it is Argon2-bound by design and throttled per IP, so the hash is timed instead.
 */
export async function authBench(): Promise<Report> {
  const before = machine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfc-bench-'));
  // Real defaults (Argon2 included) unless the caller sets ARGON2_* to bench other parameters.
  const argonEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ARGON2_')));
  const config = loadConfig({
    ...argonEnv,
    NODE_ENV: 'production',
    PUBLIC_ORIGIN: 'http://127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent'
  });
  const db = createDb(path.join(dir, 'tfc.sqlite'));
  runMigrations(db);
  const app = await buildApp({
    db,
    config,
    secretKey: randomBytes(32).toString('hex'),
    mailer: new OutboxMailer(db, systemClock, () => {}),
    logger: false
  });
  const bare = Fastify({ logger: false });
  try {
    const now = Date.now();
    const member = db
      .insert(members)
      .values({
        email: 'bench.member@example.org',
        name: 'Bench Member Example',
        role: 'member',
        status: 'active',
        passwordHash: await hashPassword(PASSWORD, config.argon2),
        noticeAcceptedAt: now,
        lastActiveAt: now,
        createdAt: now,
        updatedAt: now
      })
      .returning({ id: members.id })
      .get();
    const { token } = app.deps.sessions.create(member.id, '127.0.0.1', 'bench');
    const cookie = { cookie: `${sessionCookieName(config)}=${token}` };

    const me = await app.inject({ method: 'GET', url: '/api/me', headers: cookie });
    if (me.statusCode !== 200) throw new Error(`GET /api/me answered ${me.statusCode}: ${me.body}`);
    const meBytes = me.body;
    bare.get('/hello', async () => ({ hello: 'world' }));
    bare.get('/same-bytes', async (_req, reply) => reply.type('application/json; charset=utf-8').send(meBytes));

    const appUrl = await listen(app);
    const bareUrl = await listen(bare);

    const targets: { route: string; url: string; headers?: Record<string, string> }[] = [
      { route: 'bare GET /hello ({hello:"world"})', url: `${bareUrl}/hello` },
      { route: `bare GET /same-bytes (${Buffer.byteLength(meBytes)} B)`, url: `${bareUrl}/same-bytes` },
      { route: 'GET /api/health', url: `${appUrl}/api/health` },
      { route: 'GET /api/me (session cookie)', url: `${appUrl}/api/me`, headers: cookie }
    ];
    const measured = [];
    for (const t of targets) {
      process.stdout.write(`  ${t.route}…\n`);
      measured.push({ route: t.route, ...(await load(t.url, t.headers)) });
    }
    const ceiling = measured[1]!.reqPerSec;
    const rows: Row[] = measured.map((m) => ({
      route: m.route,
      reqPerSec: m.reqPerSec,
      p50Ms: m.p50Ms,
      p99Ms: m.p99Ms,
      ratio: m.reqPerSec / ceiling,
      failures: m.failures
    }));

    process.stdout.write(`  Argon2id hash × ${ARGON2_SAMPLES}…\n`);
    const hashMs: number[] = [];
    for (let i = 0; i < ARGON2_SAMPLES; i++) {
      const started = performance.now();
      await hashPassword(PASSWORD, config.argon2);
      hashMs.push(performance.now() - started);
    }
    const round = (n: number) => Math.round(n * 10) / 10;
    const argon2 = {
      params: `m=${config.argon2.memoryCost} KiB, t=${config.argon2.timeCost}, p=${config.argon2.parallelism}`,
      samples: ARGON2_SAMPLES,
      p50Ms: round(percentile(hashMs, 50)),
      p99Ms: round(percentile(hashMs, 99)),
      minMs: round(Math.min(...hashMs)),
      maxMs: round(Math.max(...hashMs))
    };

    return {
      bench: 'auth',
      date: new Date().toISOString(),
      machine: before,
      settings: { ...LOAD, loadGenerator: 'autocannon in one worker thread', logging: 'off (app and bare alike)' },
      rows,
      extra: {
        'Argon2id hash (sign-in cost per attempt)': `p50 ${argon2.p50Ms} ms, p99 ${argon2.p99Ms} ms over ${argon2.samples} hashes (${argon2.params})`,
        argon2
      },
      notes: [
        ...(before.loadavg[0]! > before.cpus
          ? [`The machine was busy (load ${before.loadavg[0]} on ${before.cpus} CPUs) when this run started: expect noise.`]
          : []),
        'Servers and load generator share this machine; compare ratios between runs rather than absolute req/s.',
        'Latency is counted in whole milliseconds by autocannon ("<1" = under 1 ms).',
        'POST /api/auth/sign-in is not load-tested: it costs one Argon2id hash per attempt by design and is throttled per IP (6/min).'
      ]
    };
  } finally {
    await app.close();
    await bare.close();
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
