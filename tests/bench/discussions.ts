import Database from 'better-sqlite3';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { generateToken, hashToken } from '../../server/shared/tokens.ts';
import { LOAD, percentile, type LoadSettings } from './load.ts';
import { machine, type Report, type Row } from './report.ts';
import {
  BENCH_SECRET_KEY,
  CACHE_DIR,
  cachedSeed,
  migrateCopy,
  describeSeed,
  FRAGMENTS,
  makePost,
  prng,
  RARE_TIERS
} from './seed-discussions.ts';
import { freePort, stopChild, waitForHealth } from './child.ts';

/**
 * `npm run bench -- discussions`: the real server (server/main.ts, a child process) on the seeded
 * database, against bare Fastify routes returning the same bytes (the ceiling), measured in the
 * same run. Everything on 127.0.0.1. BENCH_DISCUSSIONS_SCALE=0.05 runs on a smaller seed;
 * BENCH_CPU_PROF=1 writes the server's CPU profile to bench/.cache/profiles/.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POSTING: LoadSettings = { connections: 20, durationS: 10, warmupS: 1 };
const SEARCH_PASSES = 2;
/** Search is measured one query at a time: a slow build must not hold the run hostage. */
const SEARCH_BUDGET_MS = 150_000;
const TARGETS = { list: 0.5, page: 0.5, html: 0.15, searchP99Ms: 25, postsPerSec: 1000 };

interface Measured {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failures: number;
}

interface Req {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** autocannon in its worker thread, cycling through `requests` on each connection. */
export async function cannon(url: string, requests: Req[] | undefined, settings: LoadSettings = LOAD): Promise<Measured> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`Benchmarks only run against 127.0.0.1, not ${url}`);
  const result = (await autocannon({
    url,
    connections: settings.connections,
    duration: settings.durationS,
    warmup: { connections: settings.connections, duration: settings.warmupS },
    workers: 1,
    ...(requests ? { requests } : {})
  } as Parameters<typeof autocannon>[0])) as Awaited<ReturnType<typeof autocannon>> & { '2xx': number };
  // No answer within the run: autocannon's zero latencies would read as "<1 ms".
  const none = result['2xx'] === 0;
  return {
    reqPerSec: result['2xx'] / result.duration,
    p50Ms: none ? Number.NaN : result.latency.p50,
    p99Ms: none ? Number.NaN : result.latency.p99,
    ok: result['2xx'],
    failures: result.non2xx + result.errors + result.timeouts
  };
}

interface Fixtures {
  cookieName: string;
  readers: string[];
  searchers: string[];
  posters: string[];
  searcherReads: { categories: number; of: number };
  listCategories: number[];
  pageThreads: number[];
  replyThreads: number[];
  maxPostId: number;
}

/** Sessions for members picked from the seed, and the threads and categories each row will visit. */
export function prepare(file: string): Fixtures {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const ids = (sql: string, ...params: unknown[]) => (db.prepare(sql).all(...params) as { id: number }[]).map((r) => r.id);
  const activeMembers = `SELECT id FROM members WHERE role = 'member' AND status = 'active' AND notice_accepted_at IS NOT NULL`;
  // Searchers read the most categories a plain member can: task force 1's room and the prosecutors' rooms.
  const searcherIds = ids(`${activeMembers} AND task_force_id = 1 AND discipline = 'prosecution' ORDER BY id LIMIT 40`);
  const readable = db
    .prepare(
      `SELECT count(*) AS n FROM categories c WHERE c.is_private = 0
         OR EXISTS (SELECT 1 FROM category_task_forces t WHERE t.category_id = c.id AND t.task_force_id = 1)
         OR EXISTS (SELECT 1 FROM category_disciplines d WHERE d.category_id = c.id AND d.discipline = 'prosecution')`
    )
    .get() as { n: number };
  const total = (db.prepare('SELECT count(*) AS n FROM categories').get() as { n: number }).n;
  const readerIds = ids(`${activeMembers} ORDER BY id DESC LIMIT 20`);
  const posterIds = ids(`${activeMembers} ORDER BY id LIMIT 200 OFFSET 100`);
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, member_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, '127.0.0.1', 'bench')`
  );
  const cookies = (members: number[]) =>
    members.map((id) => {
      const token = generateToken();
      insertSession.run(hashToken(token), id, now, now, now + 12 * 3_600_000);
      return token;
    });
  const fixtures = db.transaction(() => {
    // A cached seed may be weeks old: the access job would disable members idle for 90 days.
    db.prepare(`UPDATE members SET last_active_at = ? WHERE status = 'active'`).run(now);
    return {
      readers: cookies(readerIds),
      searchers: cookies(searcherIds),
      posters: cookies(posterIds)
    };
  })();
  const result: Fixtures = {
    cookieName: 'tfc_session',
    ...fixtures,
    searcherReads: { categories: readable.n, of: total },
    // The busiest public categories: the lists members open most.
    listCategories: ids(`SELECT id FROM categories WHERE is_private = 0 ORDER BY thread_count DESC LIMIT 20`),
    pageThreads: ids(
      `SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id
       WHERE c.is_private = 0 AND t.deleted_at IS NULL AND t.last_post_number >= 20 ORDER BY (t.id * 7919) % 10007 LIMIT 200`
    ),
    replyThreads: ids(
      `SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id
       WHERE c.is_private = 0 AND t.deleted_at IS NULL AND t.locked_at IS NULL AND t.closed_at IS NULL
       ORDER BY (t.id * 7919) % 10007 LIMIT 500`
    ),
    maxPostId: (db.prepare('SELECT max(id) AS n FROM posts').get() as { n: number }).n
  };
  db.close();
  if (result.searchers.length < 20 || result.readers.length < 20 || result.pageThreads.length === 0) {
    throw new Error('The seeded database lacks the members or threads the benchmark needs.');
  }
  return result;
}

/** The fixed list of 200 queries: common words, acronyms, rare words (a few to 30,000 hits), phrases, prefixes, combinations. */
export function searchQueries(): { q: string; kind: string }[] {
  const out: { q: string; kind: string }[] = [];
  const add = (kind: string, list: string[]) => out.push(...list.map((q) => ({ q, kind })));
  // A trailing space means the member finished the word: no prefix expansion.
  add(
    'common word',
    'victim housing interview prosecutor survivor referral grant shelter labor training protocol advocate detective interpreter restitution screening hotline report attorney safety operation county meeting template compensation outreach evidence sentencing partners checklist'
      .split(' ')
      .map((w) => `${w} `)
  );
  add('acronym', [
    ...'ECM OVC CSE T-visa HSI NCMEC U-visa CAC TVPA AUSA DMST CSEC MOU FBI TTAC'.split(' ').map((w) => `${w} `),
    'ecm ',
    't visa ',
    'T-visa certification ',
    'OVC grant ',
    'HSI lead '
  ]);
  add('rare word', [
    ...RARE_TIERS.flatMap((t) => t.words).map((w) => `${w} `),
    'xylophone ',
    'marzipan ',
    'snowmobile ',
    'trombone ',
    'kayak '
  ]);
  const bare = (s: string) => s.replace(/^(the|a|an) /, '');
  add('phrase', [
    ...FRAGMENTS.OBJECTS.slice(0, 20).map((o) => `"${bare(o)}"`),
    ...FRAGMENTS.MODIFIERS.slice(0, 10).map((m) => `"${m}"`)
  ]);
  add(
    'prefix',
    'traff interv subpo housi certif restit compens polyg sawm apia light pawns steve crypt geof vine orch hatch quar foun adv pros surv refer shel train proto hotl sente outr victim housing grand inter lang safe debt forc menta coerc'.split(
      ' '
    )
  );
  const r = prng(42);
  const words = [
    'victim',
    'housing',
    'interpreter',
    'shelter',
    'grant',
    'report',
    'detective',
    'advocate',
    'survivor',
    'training'
  ];
  const rare = RARE_TIERS.flatMap((t) => t.words);
  const acronyms = ['ECM', 'OVC', 'CSE', 'T-visa', 'HSI', 'NCMEC'];
  const one = <T>(list: T[]) => list[Math.floor(r() * list.length)]!;
  const combos: string[] = [];
  while (combos.length < 50) {
    const n = combos.length;
    const q =
      n % 5 === 0
        ? `${one(words)} ${one(words)} `
        : n % 5 === 1
          ? `${one(words)} ${one(rare)} `
          : n % 5 === 2
            ? `${one(acronyms)} ${one(words)}`
            : n % 5 === 3
              ? `"${bare(one(FRAGMENTS.OBJECTS))}" ${one(words)} `
              : `${one(rare)} ${one(rare)} `;
    if (!combos.includes(q)) combos.push(q);
  }
  add('combination', combos);
  if (out.length !== 200) throw new Error(`Expected 200 search queries, built ${out.length}`);
  return out;
}

/** The app as a child process on `dataDir`, answering on 127.0.0.1:`port`; `env` adds or overrides settings. */
export async function startServer(
  dataDir: string,
  port: number,
  profileDir: string | null,
  env: Record<string, string> = {}
): Promise<ChildProcess> {
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', 'server/main.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_ORIGIN: origin,
        DATA_DIR: dataDir,
        SECRET_KEY: BENCH_SECRET_KEY,
        LOG_LEVEL: 'silent',
        SMTP_URL: '',
        DEMO: 'false',
        POST_INTERVAL_SECONDS: '0',
        THREADS_PER_DAY: '10000',
        // A scheduled backup of the 6 GB seed would run during the measurements.
        BACKUP_INTERVAL_HOURS: '0',
        ...env
      },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForHealth(origin, child, () => output);
  return child;
}

export const stopServer = (child: ChildProcess) => stopChild(child);

/**
 * Wait until the server answers /api/health quickly again: requests still queued from a slow row
 * (autocannon stops sending, the server keeps working) must not be billed to the next row.
 */
async function settle(origin: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 120_000) {
    const t = performance.now();
    await fetch(`${origin}/api/health`).then((r) => r.arrayBuffer());
    if (performance.now() - t < 20) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return round1((performance.now() - started) / 1000);
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

interface SearchRun {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  failures: string[];
  byKind: Record<string, string>;
  slowest: string[];
  stoppedEarly: boolean;
  hitRange: string;
}

/** Each query in turn (one at a time, so the figure is the query's own latency), round-robin over the searchers' sessions. */
async function runSearch(origin: string, cookieName: string, searchers: string[]): Promise<SearchRun> {
  const queries = searchQueries();
  const perQuery = new Map<string, number[]>();
  const hits = new Map<string, number>();
  const failures: string[] = [];
  let n = 0;
  let stoppedEarly = false;
  const started = performance.now();
  for (let pass = 0; pass <= SEARCH_PASSES && !stoppedEarly; pass++) {
    for (const { q } of queries) {
      if (performance.now() - started > SEARCH_BUDGET_MS) {
        stoppedEarly = true;
        break;
      }
      const cookie = `${cookieName}=${searchers[n++ % searchers.length]}`;
      const sent = performance.now();
      const res = await fetch(`${origin}/api/search?q=${encodeURIComponent(q)}`, { headers: { cookie } });
      const body = (await res.json()) as { hits?: unknown[]; hasMore?: boolean };
      const ms = performance.now() - sent;
      if (!res.ok) {
        failures.push(`${res.status} for ${JSON.stringify(q)}`);
        continue;
      }
      hits.set(q, (body.hits?.length ?? 0) + (body.hasMore ? 1 : 0));
      // Pass 0 warms the page cache and the prepared statements; it is not counted.
      if (pass > 0) perQuery.set(q, [...(perQuery.get(q) ?? []), ms]);
    }
  }
  const all = [...perQuery.values()].flat();
  if (all.length === 0) throw new Error(`Search: no query finished within ${SEARCH_BUDGET_MS / 1000} s`);
  const byKind: Record<string, string> = {};
  for (const kind of [...new Set(queries.map((x) => x.kind))]) {
    const samples = queries.filter((x) => x.kind === kind).flatMap((x) => perQuery.get(x.q) ?? []);
    byKind[kind] =
      samples.length === 0
        ? 'not reached within the time budget'
        : `p50 ${round1(percentile(samples, 50))} ms, p99 ${round1(percentile(samples, 99))} ms`;
  }
  const slowest = [...perQuery.entries()]
    .map(([q, s]) => ({ q, ms: Math.max(...s) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((x) => `${JSON.stringify(x.q)} ${round1(x.ms)} ms`);
  const counts = [...hits.values()];
  return {
    p50Ms: round1(percentile(all, 50)),
    p99Ms: round1(percentile(all, 99)),
    meanMs: all.reduce((a, b) => a + b, 0) / all.length,
    samples: all.length,
    failures,
    byKind,
    slowest,
    stoppedEarly,
    hitRange: `${counts.filter((c) => c === 0).length} queries find nothing, ${counts.filter((c) => c > 0 && c <= 20).length} fill one page or less, ${counts.filter((c) => c > 20).length} have more pages`
  };
}

async function getText(url: string, cookie: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, { headers: { cookie } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The server-rendered thread page, wherever the web app put it (null when web/build has no thread page). */
async function findThreadPage(origin: string, cookie: string, threadId: number, title: string) {
  const candidates = [
    ...(process.env.BENCH_THREAD_PAGE_PATH ? [process.env.BENCH_THREAD_PAGE_PATH.replace(':id', String(threadId))] : []),
    `/discussions/threads/${threadId}`,
    `/discussions/t/${threadId}`,
    `/discussions/${threadId}`
  ];
  const escapedTitle = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const pathname of candidates) {
    const res = await getText(`${origin}${pathname}`, cookie);
    if (res.status === 200 && res.type.startsWith('text/html') && res.body.includes(escapedTitle)) {
      return { pathname, pattern: pathname.replace(String(threadId), ':id'), bytes: res.body };
    }
  }
  return null;
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

export async function discussionsBench(): Promise<Report> {
  const before = machine();
  const scale = Number(process.env.BENCH_DISCUSSIONS_SCALE ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_DISCUSSIONS_SCALE must be in (0, 1]');
  process.stdout.write('  seed…\n');
  const seed = await cachedSeed(scale);
  const seedNote = seed.stats
    ? `Seeded now: ${describeSeed(seed.stats)} (${JSON.stringify(seed.stats.phases)}).`
    : `Seed from the cache: ${path.relative(ROOT, seed.file)} (${(statSync(seed.file).size / 1e9).toFixed(2)} GB).`;
  process.stdout.write(`  ${seedNote}\n`);

  // Posting writes to the database: every run gets its own copy of the seed.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-bench-discussions-'));
  const copyStarted = performance.now();
  copyFileSync(seed.file, path.join(dataDir, 'tfc.sqlite'));
  migrateCopy(path.join(dataDir, 'tfc.sqlite'));
  const copySeconds = round1((performance.now() - copyStarted) / 1000);
  const fx = prepare(path.join(dataDir, 'tfc.sqlite'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const profileDir = process.env.BENCH_CPU_PROF ? path.join(CACHE_DIR, 'profiles') : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  process.stdout.write(`  server on ${origin} (copy of the seed took ${copySeconds} s)…\n`);
  const server = await startServer(dataDir, port, profileDir);
  const bare = Fastify({ logger: false });
  const notes: string[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const readerCookie = `${fx.cookieName}=${fx.readers[0]}`;
    const cookieOf = (token: string) => `${fx.cookieName}=${token}`;

    // Samples: what each route answers, checked, and the bytes its ceiling will send.
    const list = await getText(`${origin}/api/discussions/categories/${fx.listCategories[0]}/threads`, readerCookie);
    const listJson = JSON.parse(list.body) as { threads: unknown[] };
    if (list.status !== 200 || listJson.threads.length !== 25)
      throw new Error(`Thread list answered ${list.status}: ${list.body.slice(0, 300)}`);
    const page = await getText(`${origin}/api/discussions/threads/${fx.pageThreads[0]}`, readerCookie);
    const pageJson = JSON.parse(page.body) as { posts: unknown[]; thread: { title: string } };
    if (page.status !== 200 || pageJson.posts.length !== 20)
      throw new Error(`Thread page answered ${page.status}: ${page.body.slice(0, 300)}`);
    const html = await findThreadPage(origin, readerCookie, fx.pageThreads[0]!, pageJson.thread.title);

    bare.get('/list', async (_req, reply) => reply.type('application/json; charset=utf-8').send(list.body));
    bare.get('/page', async (_req, reply) => reply.type('application/json; charset=utf-8').send(page.body));
    if (html) bare.get('/html', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html.bytes));
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;

    const rows: Row[] = [];
    const measure = async (route: string, url: string, requests: Req[] | undefined, ceiling: number | null) => {
      const waited = await settle(origin);
      if (waited > 1) notes.push(`Before "${route}" the server needed ${waited} s to finish requests left from the row before.`);
      process.stdout.write(`  ${route}…\n`);
      const m = await cannon(url, requests);
      rows.push({
        route,
        reqPerSec: m.reqPerSec,
        p50Ms: m.p50Ms,
        p99Ms: m.p99Ms,
        ratio: ceiling ? m.reqPerSec / ceiling : 1,
        failures: m.failures
      });
      return m;
    };
    const rotate = (paths: string[]): Req[] =>
      paths.map((p, i) => ({ method: 'GET', path: p, headers: { cookie: cookieOf(fx.readers[i % fx.readers.length]!) } }));

    const listCeiling = await measure(
      `bare GET, same bytes as a thread list (${kb(list.body.length)})`,
      `${bareUrl}/list`,
      undefined,
      null
    );
    const listRow = await measure(
      `GET /api/discussions/categories/:id/threads (25 threads, 20 categories)`,
      origin,
      rotate(fx.listCategories.map((c) => `/api/discussions/categories/${c}/threads`)),
      listCeiling.reqPerSec
    );
    const latestRow = await measure(
      'GET /api/discussions/threads/latest (25 threads, all readable categories)',
      origin,
      rotate(['/api/discussions/threads/latest']),
      listCeiling.reqPerSec
    );
    const pageCeiling = await measure(
      `bare GET, same bytes as a thread page (${kb(page.body.length)})`,
      `${bareUrl}/page`,
      undefined,
      null
    );
    const pageRow = await measure(
      `GET /api/discussions/threads/:id (20 posts, ${fx.pageThreads.length} threads)`,
      origin,
      rotate(fx.pageThreads.map((t) => `/api/discussions/threads/${t}`)),
      pageCeiling.reqPerSec
    );
    let htmlRow: Measured | null = null;
    let htmlCeiling: Measured | null = null;
    if (html) {
      htmlCeiling = await measure(
        `bare GET, same bytes as the thread page HTML (${kb(html.bytes.length)})`,
        `${bareUrl}/html`,
        undefined,
        null
      );
      htmlRow = await measure(
        `GET ${html.pattern} (server-rendered, 20 posts)`,
        origin,
        rotate(fx.pageThreads.map((t) => html.pattern.replace(':id', String(t)))),
        htmlCeiling.reqPerSec
      );
    } else {
      notes.push(
        'Server-rendered thread page: not measured — web/build has no thread page at /discussions/threads/:id (or BENCH_THREAD_PAGE_PATH). Build the web app with the discussions pages, then rerun.'
      );
    }

    await settle(origin);
    // The same one-at-a-time timing on the cheapest route: on a shared machine this is the floor under search's p99.
    const floor: number[] = [];
    for (let i = 0; i < 400; i++) {
      const sent = performance.now();
      await fetch(`${origin}/api/health`).then((res) => res.arrayBuffer());
      floor.push(performance.now() - sent);
    }
    rows.push({
      route: 'GET /api/health (400 × one at a time: the timing floor for search)',
      reqPerSec: 1000 / (floor.reduce((a, b) => a + b, 0) / floor.length),
      p50Ms: round1(percentile(floor, 50)),
      p99Ms: round1(percentile(floor, 99)),
      ratio: Number.NaN,
      failures: 0
    });
    process.stdout.write(`  search: 200 queries × ${SEARCH_PASSES} (+1 warm-up pass), one at a time…\n`);
    const search = await runSearch(origin, fx.cookieName, fx.searchers);
    rows.push({
      route: `GET /api/search (200 queries × ${SEARCH_PASSES}, one at a time; p50/p99 in ms)`,
      reqPerSec: 1000 / search.meanMs,
      p50Ms: search.p50Ms,
      p99Ms: search.p99Ms,
      ratio: Number.NaN,
      failures: search.failures.length
    });

    process.stdout.write(`  posting replies for ${POSTING.durationS} s…\n`);
    const r = prng(7);
    const bodies = Array.from({ length: 300 }, () => makePost(r).body);
    const posts: Req[] = Array.from({ length: 1000 }, (_, i) => ({
      method: 'POST',
      path: `/api/discussions/threads/${fx.replyThreads[(i * 7) % fx.replyThreads.length]}/posts`,
      headers: {
        cookie: cookieOf(fx.posters[i % fx.posters.length]!),
        origin,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ body: bodies[i % bodies.length] })
    }));
    await settle(origin);
    process.stdout.write('  POST /api/discussions/threads/:id/posts…\n');
    const posting = await cannon(origin, posts, POSTING);
    rows.push({
      route: `POST /api/discussions/threads/:id/posts (${fx.posters.length} members, ${fx.replyThreads.length} threads)`,
      reqPerSec: posting.reqPerSec,
      p50Ms: posting.p50Ms,
      p99Ms: posting.p99Ms,
      ratio: Number.NaN,
      failures: posting.failures
    });

    await stopServer(server);
    // Every 2xx is a post on disk, in the index too (warm-up posts included).
    const db = new Database(path.join(dataDir, 'tfc.sqlite'), { readonly: true });
    const created = (db.prepare('SELECT count(*) AS n FROM posts WHERE id > ?').get(fx.maxPostId) as { n: number }).n;
    const indexed = (db.prepare('SELECT count(*) AS n FROM post_search WHERE rowid > ?').get(fx.maxPostId) as { n: number }).n;
    db.close();
    if (created < posting.ok || indexed !== created) {
      notes.push(
        `Posting check FAILED: ${posting.ok} replies answered 2xx, ${created} posts on disk, ${indexed} in the search index.`
      );
    }

    const ratio = (m: Measured, c: Measured) => m.reqPerSec / c.reqPerSec;
    const target = (name: string, ok: boolean, value: string) => {
      extra[`Target: ${name}`] = `${value} — ${verdict(ok)}`;
    };
    target(
      `thread list ≥ ${TARGETS.list} × its ceiling`,
      ratio(listRow, listCeiling) >= TARGETS.list,
      `${ratio(listRow, listCeiling).toFixed(2)} ×`
    );
    target(
      `latest threads ≥ ${TARGETS.list} × the thread-list ceiling`,
      ratio(latestRow, listCeiling) >= TARGETS.list,
      `${ratio(latestRow, listCeiling).toFixed(2)} ×`
    );
    target(
      `thread page ≥ ${TARGETS.page} × its ceiling`,
      ratio(pageRow, pageCeiling) >= TARGETS.page,
      `${ratio(pageRow, pageCeiling).toFixed(2)} ×`
    );
    if (htmlRow && htmlCeiling) {
      target(
        `server-rendered page ≥ ${TARGETS.html} × its ceiling`,
        ratio(htmlRow, htmlCeiling) >= TARGETS.html,
        `${ratio(htmlRow, htmlCeiling).toFixed(2)} ×`
      );
      extra['Server-rendered page vs the thread-list ceiling'] = `${ratio(htmlRow, listCeiling).toFixed(2)} ×`;
    } else {
      extra[`Target: server-rendered page ≥ ${TARGETS.html} × its ceiling`] = 'not measured (no thread page in web/build)';
    }
    target(
      `search p99 ≤ ${TARGETS.searchP99Ms} ms`,
      search.p99Ms <= TARGETS.searchP99Ms,
      `p50 ${search.p50Ms} ms, p99 ${search.p99Ms} ms`
    );
    target(
      `post creation ≥ ${TARGETS.postsPerSec}/s`,
      posting.reqPerSec >= TARGETS.postsPerSec,
      `${Math.round(posting.reqPerSec)} posts/s`
    );
    extra['Thread page vs the thread-list ceiling'] = `${ratio(pageRow, listCeiling).toFixed(2)} ×`;
    for (const [kind, figures] of Object.entries(search.byKind)) extra[`Search, ${kind}`] = figures;
    extra['Search, slowest queries'] = search.slowest.join('; ');
    extra['Search, hits'] = search.hitRange;
    extra['Search member reads'] = `${fx.searcherReads.categories} of ${fx.searcherReads.of} categories`;
    extra['Posting'] =
      `${posting.ok} replies in ${POSTING.durationS} s (${created} posts on disk incl. warm-up, ${indexed} indexed), ${posting.failures} failures`;
    extra.search = search;
    if (search.stoppedEarly) {
      notes.push(
        `Search stopped after ${SEARCH_BUDGET_MS / 1000} s with ${search.samples} timed queries (of ${200 * SEARCH_PASSES}).`
      );
    }
    if (search.failures.length) notes.push(`Search failures: ${search.failures.slice(0, 5).join('; ')}`);
    const after = machine();
    notes.push(
      `Load average before ${before.loadavg.join(' / ')}, after ${after.loadavg.join(' / ')} on ${before.cpus} CPUs${before.loadavg[0]! > before.cpus ? ': the machine was busy, expect noise' : ''}.`,
      seedNote,
      `Database copied for this run in ${copySeconds} s; scale ${scale}${scale === 1 ? ' (full: 10,000 members, 200 categories, 100,000 threads, 1,000,000 posts)' : ''}.`,
      'The app runs as server/main.ts in a child process (NODE_ENV=production, logging silent, POST_INTERVAL_SECONDS=0); ceilings are bare Fastify routes in the bench process; autocannon runs in a worker thread.',
      'Each API ratio is against a bare route sending that same reply (STACK.md: reply size alone halves a bare route).',
      'Latency from autocannon is in whole milliseconds ("<1" = under 1 ms); search latency is measured per request with performance.now() around fetch.'
    );
    return {
      bench: 'discussions',
      date: new Date().toISOString(),
      machine: before,
      settings: {
        ...LOAD,
        posting: POSTING,
        scale,
        loadGenerator: 'autocannon in one worker thread',
        searchPasses: SEARCH_PASSES
      },
      rows,
      extra,
      notes
    };
  } finally {
    await stopServer(server);
    await bare.close();
    if (!process.env.BENCH_KEEP_DB) rmSync(dataDir, { recursive: true, force: true });
    else notes.push(`Database kept at ${dataDir}.`);
  }
}
