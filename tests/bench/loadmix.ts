import Database from 'better-sqlite3';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDb } from '../../db/client.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { systemClock } from '../../server/shared/clock.ts';
import { generateToken, hashToken } from '../../server/shared/tokens.ts';
import { searchQueries } from './discussions.ts';
import type { Answer, Command, MixSetup, RouteStats, SocketStats } from './loadmix-client.ts';
import { ROUTES } from './loadmix-client.ts';
import { machine, type Report, type Row } from './report.ts';
import { BENCH_SECRET_KEY, cachedSeed, describeSeed, makePost, migrateCopy, prng } from './seed-discussions.ts';
import { ask as askChild, freePort, stopChild as stop, waitForHealth } from './child.ts';

const ask = (client: ChildProcess, command: Command) => askChild<Command, Answer>(client, command);

/**
 * `npm run bench -- load`: the real server (server/main.ts, a child process) on a copy of the 1M-post
 * seed, under a mixed load for LOAD_DURATION_S (60) seconds — readers 80% (thread list, thread page
 * API, server-rendered thread page), writers 15% (replies, reactions), searches 5% — while LOAD_SOCKETS
 * (2,000) authenticated WebSockets stay open. The sockets and the HTTP load come from one separate
 * process (loadmix-client.ts). Reports per-route p50/p99, errors, SQLITE_BUSY seen by clients or logged,
 * and the server's RSS every 10 s. LOAD_SOAK_MINUTES=10 is the soak: the same load for 10 minutes, RSS
 * growth must stay under 5%. BENCH_LOAD_SCALE=0.05 runs on a smaller seed; LOAD_CONNECTIONS sets the
 * concurrent HTTP requests (32).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RSS_EVERY_MS = 10_000;
const TARGET = { errors: 0, busy: 0, rssGrowthPct: 5 };

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** The server's memory from /proc: all resident pages, and the anonymous ones (heap, buffers: what a leak grows). */
function memoryKb(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

interface Fixtures extends Omit<MixSetup, 'origin' | 'cookieName' | 'ssrPattern' | 'queries' | 'bodies'> {
  maxPostId: number;
}

/** Sessions minted straight into the copy (SessionStore's rows) and the threads, posts and categories to visit. */
function prepare(file: string, sockets: number): Fixtures {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const ids = (sql: string, ...params: unknown[]) => (db.prepare(sql).all(...params) as { id: number }[]).map((r) => r.id);
  const active = ids(
    `SELECT id FROM members WHERE role = 'member' AND status = 'active' AND notice_accepted_at IS NOT NULL ORDER BY id`
  );
  if (active.length < 100) throw new Error(`The seed has only ${active.length} active members.`);
  // Distinct members per role where the seed has enough; a small seed shares them.
  const slice = (from: number, count: number) => Array.from({ length: count }, (_, i) => active[(from + i) % active.length]!);
  const insert = db.prepare(
    `INSERT INTO sessions (id, member_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, '127.0.0.1', 'bench')`
  );
  const mint = (memberIds: number[]) =>
    memberIds.map((id) => {
      const token = generateToken();
      insert.run(hashToken(token), id, now, now, now + 12 * 3_600_000);
      return token;
    });
  const fixtures = db.transaction(() => {
    // A cached seed may be weeks old: the access job would disable members idle for 90 days.
    db.prepare(`UPDATE members SET last_active_at = ? WHERE status = 'active'`).run(now);
    const writerIds = slice(300, 300);
    const writerTokens = mint(writerIds);
    return {
      readers: mint(slice(0, 300)),
      writers: writerIds.map((id, i) => ({ id, token: writerTokens[i]! })),
      searchers: mint(slice(600, 400)),
      socketTokens: mint(slice(1000, Math.min(sockets, active.length)))
    };
  })();
  const result: Fixtures = {
    ...fixtures,
    listCategories: ids(`SELECT id FROM categories WHERE is_private = 0 ORDER BY thread_count DESC LIMIT 20`),
    pageThreads: ids(
      `SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id
       WHERE c.is_private = 0 AND t.deleted_at IS NULL AND t.last_post_number >= 20 ORDER BY (t.id * 7919) % 10007 LIMIT 500`
    ),
    replyThreads: ids(
      `SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id
       WHERE c.is_private = 0 AND t.deleted_at IS NULL AND t.locked_at IS NULL AND t.closed_at IS NULL
       ORDER BY (t.id * 7919) % 10007 LIMIT 500`
    ),
    reactPosts: db
      .prepare(
        `SELECT p.id, p.author_id AS authorId FROM posts p JOIN threads t ON t.id = p.thread_id JOIN categories c ON c.id = t.category_id
         WHERE c.is_private = 0 AND t.deleted_at IS NULL AND t.locked_at IS NULL AND p.deleted_at IS NULL AND p.hidden_at IS NULL
         ORDER BY (p.id * 7919) % 100003 LIMIT 3000`
      )
      .all() as { id: number; authorId: number }[],
    maxPostId: (db.prepare('SELECT max(id) AS n FROM posts').get() as { n: number }).n
  };
  db.close();
  if (result.pageThreads.length === 0 || result.replyThreads.length === 0 || result.listCategories.length === 0) {
    throw new Error('The seeded database lacks the threads or categories the benchmark needs.');
  }
  return result;
}

function startServer(dataDir: string, port: number): { child: ChildProcess; output: () => string; busyLines: () => number } {
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_ORIGIN: origin,
      DATA_DIR: dataDir,
      SECRET_KEY: BENCH_SECRET_KEY,
      // Errors only: a SQLITE_BUSY reaching the error handler is logged there.
      LOG_LEVEL: 'error',
      SMTP_URL: '',
      DEMO: 'false',
      POST_INTERVAL_SECONDS: '0',
      THREADS_PER_DAY: '10000',
      // A first scheduled backup of the 6 GB copy would be measured instead of the load (backups under
      // load are tests/api/ops-backup.test.ts's subject).
      BACKUP_INTERVAL_HOURS: '0'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  let busy = 0;
  const keep = (d: Buffer) => {
    const text = d.toString();
    busy += (text.match(/SQLITE_BUSY|database is locked/g) ?? []).length;
    output = (output + text).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => output, busyLines: () => busy };
}

/** The server-rendered thread page, if the web build has it (the bench then measures it; else the API page stands in). */
async function findThreadPage(origin: string, cookie: string, threadId: number): Promise<string | null> {
  const res = await fetch(`${origin}/discussions/t/${threadId}`, { headers: { cookie } });
  const body = await res.text();
  return res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/html') && body.includes('<h1')
    ? '/discussions/t/:id'
    : null;
}

/**
 * The seed holds a year of soft-deleted posts and threads, which a server running retention hourly
 * would have purged long ago. Purged here, once, before the server starts (the load then meets the
 * steady state), and timed: each retention run is synchronous but bounded, so its time per run is how
 * long requests wait when the hourly job meets such a backlog (a first start on an old copy, a restore).
 */
async function purgeRetentionBacklog(dataDir: string, file: string): Promise<string> {
  let runRetention: ((deps: unknown) => unknown) | undefined;
  try {
    ({ runRetention } = (await import('../../server/ops/retention.ts')) as { runRetention: (deps: unknown) => unknown });
  } catch {
    return 'no retention job in this build (server/ops/retention.ts)';
  }
  const db = createDb(file);
  const app = await buildApp({
    db,
    config: loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, LOG_LEVEL: 'silent', BACKUP_INTERVAL_HOURS: '0' }),
    secretKey: BENCH_SECRET_KEY,
    logger: false,
    mailer: new OutboxMailer(db, systemClock, () => {})
  });
  try {
    await app.ready();
    // Each run purges a bounded batch (server/ops/purgeDiscussions.ts): repeat until nothing is left.
    const started = performance.now();
    let runs = 0;
    let purged = { threads: 0, posts: 0 };
    for (;;) {
      const report = runRetention(app.deps) as { discussions: { threads: number; posts: number } };
      runs++;
      purged = { threads: purged.threads + report.discussions.threads, posts: purged.posts + report.discussions.posts };
      if (report.discussions.threads + report.discussions.posts === 0 || runs >= 500) break;
    }
    return `${round1((performance.now() - started) / 1000)} s in ${runs} bounded runs (${round1(
      (performance.now() - started) / runs
    )} ms per run on average): ${JSON.stringify(purged)} purged`;
  } finally {
    await app.close();
    db.$client.close();
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mb = (kb: number) => `${round1(kb / 1024)} MB`;

/** Growth from the first samples after warm-up to the last ones (a quarter of the samples each, at least one). */
export function rssGrowth(samplesKb: number[]): { fromKb: number; toKb: number; pct: number } {
  const k = Math.max(1, Math.floor(samplesKb.length / 4));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const fromKb = mean(samplesKb.slice(0, k));
  const toKb = mean(samplesKb.slice(-k));
  return { fromKb, toKb, pct: ((toKb - fromKb) / fromKb) * 100 };
}

export async function loadMixBench(): Promise<Report> {
  const before = machine();
  const scale = envNumber('BENCH_LOAD_SCALE', 1);
  if (scale > 1) throw new Error('BENCH_LOAD_SCALE must be in (0, 1]');
  const soakMinutes = process.env.LOAD_SOAK_MINUTES ? envNumber('LOAD_SOAK_MINUTES', 10) : 0;
  const durationS = soakMinutes ? Math.round(soakMinutes * 60) : envNumber('LOAD_DURATION_S', 60);
  const warmupS = envNumber('LOAD_WARMUP_S', 10);
  const connections = envNumber('LOAD_CONNECTIONS', 32);
  const socketCount = envNumber('LOAD_SOCKETS', 2000);

  process.stdout.write('  seed…\n');
  const seed = await cachedSeed(scale);
  const seedNote = seed.stats
    ? `Seeded now: ${describeSeed(seed.stats)}.`
    : `Seed from the cache: ${path.relative(ROOT, seed.file)} (${(statSync(seed.file).size / 1e9).toFixed(2)} GB).`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-bench-load-'));
  const file = path.join(dataDir, 'tfc.sqlite');
  let server: ReturnType<typeof startServer> | null = null;
  let client: ChildProcess | null = null;
  const notes: string[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const copyStarted = performance.now();
    copyFileSync(seed.file, file);
    migrateCopy(file);
    const copySeconds = round1((performance.now() - copyStarted) / 1000);
    process.stdout.write('  retention backlog of the seed…\n');
    extra['Retention backlog purged before the run'] = await purgeRetentionBacklog(dataDir, file);
    const fx = prepare(file, socketCount);
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    process.stdout.write(`  server on ${origin} (copy and migrations took ${copySeconds} s)…\n`);
    server = startServer(dataDir, port);
    const serverStarted = performance.now();
    await waitForHealth(origin, server.child, server.output);
    const serverPid = server.child.pid!;
    const cookieName = 'tfc_session';
    const ssrPattern = await findThreadPage(origin, `${cookieName}=${fx.readers[0]}`, fx.pageThreads[0]!);
    if (!ssrPattern) notes.push('No server-rendered thread page in web/build: its 20% went to the thread page API.');

    const r = prng(11);
    const setup: MixSetup = {
      origin,
      cookieName,
      readers: fx.readers,
      writers: fx.writers,
      searchers: fx.searchers,
      socketTokens: fx.socketTokens,
      listCategories: fx.listCategories,
      pageThreads: fx.pageThreads,
      ssrPattern,
      replyThreads: fx.replyThreads,
      reactPosts: fx.reactPosts,
      queries: searchQueries().map((q) => q.q),
      bodies: Array.from({ length: 300 }, () => makePost(r).body)
    };
    client = fork(fileURLToPath(new URL('./loadmix-client.ts', import.meta.url)), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    });
    await ask(client, { cmd: 'setup', setup });
    process.stdout.write(`  opening ${socketCount} WebSockets…\n`);
    const rssBeforeSockets = memoryKb(serverPid).rss;
    const opened = (await ask(client, { cmd: 'open', total: socketCount })).sockets!;
    const rssWithSockets = memoryKb(serverPid).rss;

    process.stdout.write(
      `  mixed load: ${connections} concurrent requests, ${warmupS} s warm-up + ${durationS} s${soakMinutes ? ' (soak)' : ''}…\n`
    );
    const samples: { atS: number; rss: number; anon: number; file: number }[] = [];
    const loadStarted = performance.now();
    const offsetS = Math.round((loadStarted - serverStarted) / 1000) + warmupS;
    const sampler = setInterval(() => {
      try {
        samples.push({ atS: Math.round((performance.now() - loadStarted) / 1000), ...memoryKb(serverPid) });
      } catch {
        // the server is gone: the run reports it
      }
    }, RSS_EVERY_MS);
    let answer: Answer & { ok: true };
    try {
      answer = await ask(client, { cmd: 'run', connections, warmupS, durationS });
    } finally {
      clearInterval(sampler);
    }
    const routes = answer.routes!;
    const sockets: SocketStats = answer.sockets!;
    await ask(client, { cmd: 'closeAll' });
    await stop(server.child);

    // Every acknowledged reply is on disk and in the search index.
    const db = new Database(file, { readonly: true });
    const created = (db.prepare('SELECT count(*) AS n FROM posts WHERE id > ?').get(fx.maxPostId) as { n: number }).n;
    const indexed = (db.prepare('SELECT count(*) AS n FROM post_search WHERE rowid > ?').get(fx.maxPostId) as { n: number }).n;
    db.close();
    const replies = routes.find((x) => x.route === ROUTES.reply);
    const acknowledgedReplies = replies ? replies.count - replies.errors : 0;

    const elapsed = answer.elapsedS!;
    const order = Object.values(ROUTES) as string[];
    routes.sort((a, b) => order.indexOf(a.route) - order.indexOf(b.route));
    const rows: Row[] = routes.map((s: RouteStats) => ({
      route: s.route,
      reqPerSec: s.count / elapsed,
      p50Ms: round1(s.p50Ms),
      p99Ms: round1(s.p99Ms),
      ratio: Number.NaN,
      failures: s.errors
    }));
    const total = routes.reduce((n, s) => n + s.count, 0);
    const errors = routes.reduce((n, s) => n + s.errors, 0);
    const clientBusy = routes.reduce((n, s) => n + s.busy, 0);
    rows.push({
      route: `all (${connections} concurrent; ${sockets.opened} WebSockets open)`,
      reqPerSec: total / elapsed,
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      ratio: Number.NaN,
      failures: errors
    });
    const measured = samples.filter((s) => s.atS > warmupS);
    // The database is memory-mapped (db/client.ts): pages read from it count in RSS as file pages, and
    // reads over a 6 GB file keep mapping more of its first 1 GB. A leak grows the anonymous pages.
    const growth = measured.length >= 2 ? rssGrowth(measured.map((s) => s.anon)) : null;
    const totalGrowth = measured.length >= 2 ? rssGrowth(measured.map((s) => s.rss)) : null;

    const target = (name: string, ok: boolean, value: string) => {
      extra[`Target: ${name}`] = `${value} — ${ok ? 'PASS' : 'FAIL'}`;
    };
    target('0 errors', errors === TARGET.errors, `${errors} of ${total} requests`);
    target(
      '0 SQLITE_BUSY reaching a client',
      clientBusy === 0 && server.busyLines() === 0,
      `${clientBusy} in replies, ${server.busyLines()} in the server's error log`
    );
    const growthText = growth
      ? `${mb(growth.fromKb)} → ${mb(growth.toKb)} (${growth.pct >= 0 ? '+' : ''}${round1(growth.pct)}%)`
      : 'too few samples';
    if (soakMinutes) {
      target(
        `RSS growth (anonymous pages) under ${TARGET.rssGrowthPct}% over the ${soakMinutes}-minute soak`,
        growth !== null && growth.pct < TARGET.rssGrowthPct,
        growthText
      );
    } else {
      // A minute is warm-up for memory (V8 heap, SQLite's page cache): judged only in the soak.
      extra['RSS growth (anonymous pages), not judged in a 60 s run: the soak is LOAD_SOAK_MINUTES=10'] = growthText;
    }
    extra['WebSockets'] =
      `${opened.opened} opened in ${round1(opened.openMs / 1000)} s (server RSS ${mb(rssBeforeSockets)} → ${mb(rssWithSockets)}), ` +
      `${sockets.dropped} dropped during the load, ${sockets.notifications} notifications received`;
    extra[`All routes per 10 s window (seconds since the server started: p99 / max ms)`] = answer
      .windows!.map((w) => `${offsetS + w.fromS}s ${Math.round(w.p99Ms)} / ${Math.round(w.maxMs)}`)
      .join(', ');
    extra['Server RSS every 10 s (anonymous + file pages)'] = samples
      .map((s) => `${s.atS}s ${mb(s.rss)} (${mb(s.anon)} + ${mb(s.file)})`)
      .join(', ');
    if (totalGrowth) {
      extra['Total RSS growth, file pages included'] =
        `${mb(totalGrowth.fromKb)} → ${mb(totalGrowth.toKb)} (${totalGrowth.pct >= 0 ? '+' : ''}${round1(totalGrowth.pct)}%)`;
    }
    extra['Replies'] =
      `${acknowledgedReplies} answered 201, ${created} posts on disk after the run (warm-up included), ${indexed} in the search index`;
    if (created < acknowledgedReplies || indexed !== created)
      notes.push('Posting check FAILED: fewer posts on disk or in the index than acknowledged.');
    for (const s of routes.filter((x) => x.samples.length)) notes.push(`${s.route} failures: ${s.samples.join(' | ')}`);
    const after = machine();
    notes.push(
      `Load average before ${before.loadavg.join(' / ')}, after ${after.loadavg.join(' / ')} on ${before.cpus} CPUs${before.loadavg[0]! > before.cpus ? ': the machine was busy, expect noise' : ''}.`,
      seedNote,
      `Database copied and migrated for this run in ${copySeconds} s; scale ${scale}.`,
      `Closed loop: ${connections} requests in flight at all times from one client process (node:http, keep-alive), which also holds the WebSockets; ` +
        'each request picks its route by weight (readers 80%: list 30, API page 30, HTML page 20; writers 15%: replies 10, reactions 5; searches 5%). ' +
        `Latency per request with performance.now(); the first ${warmupS} s are not counted.`,
      'Members, threads, posts and search queries are used round-robin (300 readers, 300 writers, 400 searchers, one socket per member where the seed has enough): no per-member limit is reached.',
      'The server is server/main.ts in a child process (NODE_ENV=production, LOG_LEVEL=error, POST_INTERVAL_SECONDS=0).'
    );
    return {
      bench: soakMinutes ? 'load-soak' : 'load',
      date: new Date().toISOString(),
      machine: before,
      settings: { scale, durationS, warmupS, connections, sockets: socketCount, soakMinutes },
      rows,
      extra,
      notes
    };
  } finally {
    if (client && client.connected) client.disconnect();
    await stop(server?.child ?? null);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
