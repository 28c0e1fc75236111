import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateToken, hashToken } from '../../server/shared/tokens.ts';
import { freePort } from './child.ts';
import { cannon, startServer as startAppServer, stopServer } from './discussions.ts';
import { LOAD, percentile, type LoadSettings } from './load.ts';
import { machine, type Report, type Row } from './report.ts';
import { migrateCopy } from './seed-discussions.ts';
import { cachedDirectorySeed, describeSeed, seedKey } from './seed-directory.ts';

/**
 * `npm run bench -- directory`: the member directory and direct messages on 10,000 seeded members
 * and 20,000 messages. The real server (server/main.ts, a child process, API only) against a bare
 * Fastify route that sends, for every request, the very bytes the app answered to it (the
 * ceiling), measured in the same run; then 200 directory queries one at a time, and message
 * sending with the per-member limits raised. Everything on 127.0.0.1. No targets: the figures are
 * printed, and any one-at-a-time p99 above FLAG_MS is flagged.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COOKIE = 'tfc_session';
const SENDING: LoadSettings = { connections: 20, durationS: 10, warmupS: 1 };
const PROBE_PASSES = 2;
/** One query at a time: a slow build must not hold the run hostage. */
const PROBE_BUDGET_MS = 90_000;
const FLAG_MS = 25;

const round1 = (n: number) => Math.round(n * 10) / 10;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The app, API only, with the message limits out of the way of a throughput measurement. */
const startServer = (dataDir: string, port: number) =>
  startAppServer(dataDir, port, null, { SERVE_WEB: 'false', MESSAGES_PER_MINUTE: '10000', MESSAGES_PER_DAY: '100000' });

/** Wait until the server answers /api/health quickly again (nothing left over from the row before). */
async function settle(origin: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 60_000) {
    const t = performance.now();
    await fetch(`${origin}/api/health`).then((r) => r.arrayBuffer());
    if (performance.now() - t < 20) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return round1((performance.now() - started) / 1000);
}

interface Fixtures {
  /** Session cookies by member id. */
  cookie: Map<number, string>;
  viewers: number[];
  admin: number;
  coordinators: number[];
  hubs: number[];
  longConversations: { id: number; member: number }[];
  senders: { conversationId: number; member: number }[];
  profileIds: number[];
  commonLastNames: string[];
  commonFirstNames: string[];
  tags: { common: string[]; middle: string[]; rare: string[] };
  maxMessageId: number;
}

/** Sessions minted in the copy (SessionStore's rows: id = sha-256 of the token), before the server opens it. */
function prepare(file: string): Fixtures {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const ids = (sql: string) => (db.prepare(sql).all() as { id: number }[]).map((r) => r.id);
  const words = (sql: string) => (db.prepare(sql).all() as { w: string }[]).map((r) => r.w);
  const spread = (col: string) => `ORDER BY (${col} * 7919) % 10007`;
  const viewers = ids(
    `SELECT id FROM members WHERE role = 'member' AND status = 'active' AND task_force_id IS NOT NULL ${spread('id')} LIMIT 40`
  );
  const admin = ids(`SELECT id FROM members WHERE role = 'admin' AND status = 'active' LIMIT 1`)[0]!;
  const coordinators = ids(
    `SELECT id FROM members WHERE role = 'coordinator' AND status = 'active' ORDER BY task_force_id LIMIT 2`
  );
  const hubs = ids(
    'SELECT member_id AS id FROM conversation_members GROUP BY member_id HAVING count(*) >= 20 ORDER BY member_id'
  );
  const longConversations = db
    .prepare(
      `SELECT c.id, c.member_low AS member FROM conversations c
       WHERE (SELECT count(*) FROM messages WHERE conversation_id = c.id) >= 60 ORDER BY c.id`
    )
    .all() as { id: number; member: number }[];
  // One conversation per sender, each sender distinct: the per-member limit is one member's share only.
  const senders = db
    .prepare(
      `SELECT min(c.id) AS conversationId, c.member_low AS member FROM conversations c
       JOIN members m ON m.id = c.member_low WHERE m.role = 'member'
       GROUP BY c.member_low ${spread('c.member_low')} LIMIT 200`
    )
    .all() as { conversationId: number; member: number }[];
  const profileIds = ids(`SELECT id FROM members WHERE status = 'active' ${spread('id')} LIMIT 200`);
  const commonLastNames = words(
    `SELECT substr(name, instr(name, ' ') + 1) AS w FROM members GROUP BY w ORDER BY count(*) DESC, w LIMIT 15`
  );
  const commonFirstNames = words(
    `SELECT substr(name, 1, instr(name, ' ') - 1) AS w FROM members GROUP BY w ORDER BY count(*) DESC, w LIMIT 10`
  );
  const byUse = words('SELECT tag AS w FROM member_expertise GROUP BY tag ORDER BY count(*) DESC, tag');
  const cookie = new Map<number, string>();
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, member_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, '127.0.0.1', 'bench')`
  );
  db.transaction(() => {
    // A cached seed may be weeks old: the access job would disable members idle for 90 days.
    db.prepare(`UPDATE members SET last_active_at = ? WHERE status = 'active'`).run(now);
    const everyone = [
      ...viewers,
      admin,
      ...coordinators,
      ...hubs,
      ...longConversations.map((c) => c.member),
      ...senders.map((s) => s.member)
    ];
    for (const id of new Set(everyone)) {
      const token = generateToken();
      insertSession.run(hashToken(token), id, now, now, now + 12 * 3_600_000);
      cookie.set(id, `${COOKIE}=${token}`);
    }
  })();
  const maxMessageId = (db.prepare('SELECT max(id) AS n FROM messages').get() as { n: number }).n;
  db.close();
  if (viewers.length < 40 || hubs.length < 10 || longConversations.length < 10 || senders.length < 100 || !admin) {
    throw new Error('The seeded database lacks the members or conversations the benchmark needs.');
  }
  return {
    cookie,
    viewers,
    admin,
    coordinators,
    hubs,
    longConversations,
    senders,
    profileIds,
    commonLastNames,
    commonFirstNames,
    tags: { common: byUse.slice(0, 10), middle: byUse.slice(90, 100), rare: byUse.slice(-5) },
    maxMessageId
  };
}

// ——— The one-at-a-time probe.

interface ProbeQuery {
  kind: string;
  path: string;
  viewer: number;
}

const qs = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/** The fixed list of 200 directory queries: words, names, filters and their combinations, next pages; some as staff. */
function probeQueries(fx: Fixtures, nextPages: ProbeQuery[]): ProbeQuery[] {
  const out: ProbeQuery[] = [];
  // Every seventh query is run by staff (the visibility SQL takes its other branches for them).
  const staff = [fx.admin, ...fx.coordinators];
  const viewerFor = (n: number) => (n % 7 === 6 ? staff[n % staff.length]! : fx.viewers[n % fx.viewers.length]!);
  const add = (kind: string, list: Record<string, string | number>[]) => {
    for (const params of list) {
      const query = qs(params);
      out.push({ kind, path: `/api/members${query ? `?${query}` : ''}`, viewer: viewerFor(out.length) });
    }
  };
  add(
    'no filter',
    Array.from({ length: 10 }, () => ({}))
  );
  const singleWords = [
    ...fx.commonLastNames,
    ...fx.commonFirstNames.map((w) => w.toLowerCase()),
    ...'detective advocate prosecutor sergeant coordinator analyst interpreter attorney therapist inspector'.split(' '),
    ...'sheriff police legal shelter county homeland bureau college'.split(' '),
    ...'labor trafficking forensic visa restitution housing cryptocurrency wiretaps carnival meatpacking'.split(' '),
    ...'templates training zzyzx xylophone gar traff ngu'.split(' ')
  ];
  add(
    'word',
    singleWords.slice(0, 60).map((q) => ({ q }))
  );
  const pairs = [
    ...fx.commonFirstNames.slice(0, 6).map((f, i) => `${f} ${fx.commonLastNames[i]}`),
    'labor detective',
    'forensic interviews',
    'victim advocate',
    'sheriff sergeant',
    'spanish interpreter',
    'county prosecutor',
    'legal aid',
    'police trafficking',
    'happy cases',
    'trafficking zzyzx',
    'u-visa attorney',
    'shelter director',
    'special agent',
    'homeland investigations'
  ];
  add(
    'two words',
    pairs.slice(0, 20).map((q) => ({ q }))
  );
  const disciplines = ['law_enforcement', 'prosecution', 'victim_services', 'task_force_coordination', 'other'];
  add(
    'discipline',
    [...disciplines, ...disciplines].map((discipline) => ({ discipline }))
  );
  add(
    'state',
    'TX CA FL NY OH GA IL WA LA NV VT WY DC PR AK'.split(' ').map((state) => ({ state }))
  );
  add(
    'task force',
    [1, 2, 3, 5, 8, 13, 20, 25, 30, 35, 40, 45, 50, 55, 60].map((taskForceId) => ({ taskForceId }))
  );
  add(
    'expertise',
    [...fx.tags.common, ...fx.tags.middle, ...fx.tags.rare].map((expertise) => ({ expertise }))
  );
  add(
    'language',
    [
      'Spanish',
      'spanish',
      'English',
      'Vietnamese',
      'Mandarin',
      'Tagalog',
      'Arabic',
      'French',
      'Haitian Creole',
      'Korean',
      'American Sign Language',
      "K'iche'",
      'Somali',
      'Thai',
      'Klingon'
    ].map((language) => ({ language }))
  );
  add('combination', [
    { discipline: 'prosecution', state: 'OH' },
    { discipline: 'prosecution', state: 'TX', expertise: 'labor trafficking' },
    { discipline: 'law_enforcement', state: 'CA' },
    { discipline: 'victim_services', language: 'Spanish' },
    { discipline: 'law_enforcement', expertise: 'financial investigations' },
    { state: 'FL', expertise: 'sex trafficking' },
    { state: 'NY', language: 'Mandarin' },
    { taskForceId: 1, discipline: 'prosecution' },
    { taskForceId: 2, expertise: 'labor trafficking' },
    { taskForceId: 12, q: 'detective' },
    { q: 'garcia', discipline: 'law_enforcement' },
    { q: 'advocate', state: 'TX' },
    { q: 'spanish', language: 'Spanish' },
    { q: 'housing', expertise: 'emergency housing' },
    { discipline: 'other', state: 'WA', language: 'English' },
    { discipline: 'prosecution', state: 'GA', expertise: 't-visa', language: 'Spanish' },
    { state: 'OH', expertise: 'labor trafficking', q: 'county' },
    { discipline: 'victim_services', taskForceId: 5, language: 'English' },
    { discipline: 'task_force_coordination', state: 'IL' },
    { q: 'maria garcia', state: 'TX' }
  ]);
  out.push(...nextPages);
  if (out.length !== 200) throw new Error(`Expected 200 directory queries, built ${out.length}`);
  return out;
}

/** The second page of a few searches (their cursor comes from the first page, as the viewer saw it). */
async function nextPageQueries(origin: string, fx: Fixtures): Promise<ProbeQuery[]> {
  const first = [
    '',
    'discipline=prosecution',
    'state=TX',
    `expertise=${encodeURIComponent('labor trafficking')}`,
    'language=Spanish',
    'q=detective',
    'q=county',
    'taskForceId=1',
    'discipline=victim_services&state=CA',
    'q=police'
  ];
  const out: ProbeQuery[] = [];
  for (const [n, query] of first.entries()) {
    const viewer = n % 5 === 4 ? fx.admin : fx.viewers[n]!;
    const res = await fetch(`${origin}/api/members${query ? `?${query}` : ''}`, { headers: { cookie: fx.cookie.get(viewer)! } });
    const body = (await res.json()) as { next?: string | null };
    if (!res.ok || !body.next) throw new Error(`No second page for "${query}" (${res.status})`);
    out.push({
      kind: 'next page',
      path: `/api/members?${query ? `${query}&` : ''}after=${encodeURIComponent(body.next)}`,
      viewer
    });
  }
  return out;
}

interface ProbeRun {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  failures: string[];
  byKind: Record<string, { p50: number; p99: number; max: number; samples: number; results: string }>;
  slowest: string[];
  overFlag: string[];
  stoppedEarly: boolean;
  hitRange: string;
}

async function runProbe(origin: string, fx: Fixtures, queries: ProbeQuery[]): Promise<ProbeRun> {
  const label = (q: ProbeQuery) => `${q.path.replace('/api/members', '') || '(no filter)'} as member ${q.viewer}`;
  const perQuery = new Map<string, number[]>();
  const hits = new Map<string, { shown: number; more: boolean }>();
  const failures: string[] = [];
  let stoppedEarly = false;
  const started = performance.now();
  for (let pass = 0; pass <= PROBE_PASSES && !stoppedEarly; pass++) {
    for (const q of queries) {
      if (performance.now() - started > PROBE_BUDGET_MS) {
        stoppedEarly = true;
        break;
      }
      const sent = performance.now();
      const res = await fetch(`${origin}${q.path}`, { headers: { cookie: fx.cookie.get(q.viewer)! } });
      const body = (await res.json()) as { members?: unknown[]; next?: string | null };
      const ms = performance.now() - sent;
      if (!res.ok) {
        failures.push(`${res.status} for ${label(q)}: ${JSON.stringify(body).slice(0, 120)}`);
        continue;
      }
      hits.set(label(q), { shown: body.members?.length ?? 0, more: Boolean(body.next) });
      // Pass 0 warms the page cache and the prepared statements; it is not counted.
      if (pass > 0) perQuery.set(label(q), [...(perQuery.get(label(q)) ?? []), ms]);
    }
  }
  const all = [...perQuery.values()].flat();
  if (all.length === 0) throw new Error(`Directory probe: no query finished within ${PROBE_BUDGET_MS / 1000} s`);
  const byKind: ProbeRun['byKind'] = {};
  for (const kind of [...new Set(queries.map((x) => x.kind))]) {
    const ofKind = queries.filter((x) => x.kind === kind).map(label);
    const samples = ofKind.flatMap((l) => perQuery.get(l) ?? []);
    if (samples.length === 0) continue;
    const shown = ofKind.map((l) => hits.get(l)?.shown ?? 0);
    byKind[kind] = {
      p50: round1(percentile(samples, 50)),
      p99: round1(percentile(samples, 99)),
      max: round1(Math.max(...samples)),
      samples: samples.length,
      results: `${Math.min(...shown)}–${Math.max(...shown)} members on the page`
    };
  }
  // By each query's fastest time: the ones slow every time, not the ones a busy machine delayed once.
  const fastest = [...perQuery.entries()].map(([q, list]) => ({ q, min: Math.min(...list), max: Math.max(...list) }));
  const slowest = [...fastest]
    .sort((a, b) => b.min - a.min)
    .slice(0, 5)
    .map((x) => `${x.q} ${round1(x.min)}${x.max > x.min ? `–${round1(x.max)}` : ''} ms`);
  const overFlag = fastest.filter((x) => x.min > FLAG_MS).map((x) => `${x.q} (fastest ${round1(x.min)} ms)`);
  const counts = [...hits.values()];
  return {
    p50Ms: round1(percentile(all, 50)),
    p99Ms: round1(percentile(all, 99)),
    meanMs: all.reduce((a, b) => a + b, 0) / all.length,
    samples: all.length,
    failures,
    byKind,
    slowest,
    overFlag,
    stoppedEarly,
    hitRange: `${counts.filter((c) => c.shown === 0).length} of ${counts.length} queries find nobody, ${counts.filter((c) => c.shown > 0 && !c.more).length} fit one page, ${counts.filter((c) => c.more).length} have more pages`
  };
}

// ——— The run.

export async function directoryBench(): Promise<Report> {
  const before = machine();
  process.stdout.write('  seed…\n');
  const seedStarted = performance.now();
  const seed = await cachedDirectorySeed();
  const seedNote = seed.stats
    ? `Seeded now: ${describeSeed(seed.stats)} (${JSON.stringify(seed.stats.phases)}).`
    : `Seed from the cache: ${path.relative(ROOT, seed.file)} (${round1((performance.now() - seedStarted) / 1000)} s to find it).`;
  process.stdout.write(`  ${seedNote}\n`);

  const runStarted = performance.now();
  // Sending writes to the database: every run gets its own copy of the seed.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-bench-directory-'));
  const dbFile = path.join(dataDir, 'tfc.sqlite');
  copyFileSync(seed.file, dbFile);
  migrateCopy(dbFile);
  const fx = prepare(dbFile);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  process.stdout.write(`  server on ${origin}…\n`);
  const server = await startServer(dataDir, port);
  const bare = Fastify({ logger: false });
  const notes: string[] = [];
  const extra: Record<string, unknown> = {};
  try {
    // The ceiling answers each request with the bytes the app sent for that same path and session.
    const replies = new Map<string, string>();
    const keyOf = (url: string, cookie: string | undefined) => `${url}\n${cookie ?? ''}`;
    bare.get('*', async (request, reply) => {
      const body = replies.get(keyOf(request.url, request.headers.cookie));
      if (body === undefined) return reply.status(404).send();
      return reply.type('application/json; charset=utf-8').send(body);
    });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;

    /** Each distinct request once against the app: it must answer 200 and pass `check`; its bytes go to the ceiling. */
    const capture = async (requests: Req[], check: (body: unknown) => string | null): Promise<number> => {
      let bytes = 0;
      for (const req of requests) {
        const key = keyOf(req.path, req.headers.cookie);
        if (replies.has(key)) {
          bytes += replies.get(key)!.length;
          continue;
        }
        const res = await fetch(`${origin}${req.path}`, { headers: req.headers });
        const text = await res.text();
        const problem = res.status === 200 ? check(JSON.parse(text) as unknown) : `status ${res.status}`;
        if (problem) throw new Error(`GET ${req.path} is not what the row means to measure (${problem}): ${text.slice(0, 300)}`);
        replies.set(key, text);
        bytes += text.length;
      }
      return bytes / requests.length;
    };

    const rows: Row[] = [];
    const ratios: Record<string, string> = {};
    const pair = async (route: string, requests: Req[], check: (body: unknown) => string | null) => {
      const avgBytes = await capture(requests, check);
      const waited = await settle(origin);
      if (waited > 1) notes.push(`Before "${route}" the server needed ${waited} s to finish requests left from the row before.`);
      process.stdout.write(`  ${route}…\n`);
      const ceiling = await cannon(bareUrl, requests);
      rows.push({
        route: `bare GET, the same bytes (avg ${kb(avgBytes)})`,
        reqPerSec: ceiling.reqPerSec,
        p50Ms: ceiling.p50Ms,
        p99Ms: ceiling.p99Ms,
        ratio: 1,
        failures: ceiling.failures
      });
      await settle(origin);
      const m = await cannon(origin, requests);
      const ratio = m.reqPerSec / ceiling.reqPerSec;
      rows.push({ route, reqPerSec: m.reqPerSec, p50Ms: m.p50Ms, p99Ms: m.p99Ms, ratio, failures: m.failures });
      // Two significant digits: the table's two decimals would print 0.00 for the list routes.
      ratios[route] =
        `${ratio.toPrecision(2)} × its ceiling (${Math.round(m.reqPerSec)} vs ${Math.round(ceiling.reqPerSec)} req/s)`;
    };
    const get = (p: string, member: number): Req => ({ method: 'GET', path: p, headers: { cookie: fx.cookie.get(member)! } });
    const asViewers = (p: (i: number) => string) => fx.viewers.map((v, i) => get(p(i), v));
    const listed = (body: unknown) => ((body as { members?: unknown[] }).members?.length ? null : 'nobody found');

    await pair(
      `GET /api/members (no filter, ${fx.viewers.length} members viewing)`,
      asViewers(() => '/api/members'),
      listed
    );
    const words = ['garcia', 'detective', 'labor', 'advocate', 'sheriff', 'maria', 'county', 'forensic', 'shelter', 'nguyen'];
    await pair(
      `GET /api/members?q=<word> (${words.length} words)`,
      asViewers((i) => `/api/members?q=${words[i % words.length]}`),
      listed
    );
    await pair(
      'GET /api/members?discipline=prosecution&state=OH',
      asViewers(() => '/api/members?discipline=prosecution&state=OH'),
      listed
    );
    await pair(
      'GET /api/members?expertise=labor%20trafficking',
      asViewers(() => '/api/members?expertise=labor%20trafficking'),
      listed
    );
    await pair(
      `GET /api/members/:id (${fx.profileIds.length} profiles)`,
      fx.profileIds.map((id, i) => get(`/api/members/${id}`, fx.viewers[i % fx.viewers.length]!)),
      (body) => ((body as { member?: { id?: number } }).member?.id ? null : 'no member')
    );
    await pair(
      `GET /api/messages/conversations (inboxes of ${fx.hubs.length} members with 20–24 conversations)`,
      fx.hubs.map((hub) => get('/api/messages/conversations', hub)),
      (body) => ((body as { conversations?: unknown[] }).conversations?.length === 20 ? null : 'not a full inbox page')
    );
    await pair(
      `GET /api/messages/conversations/:id (50 messages, ${fx.longConversations.length} conversations)`,
      fx.longConversations.map((c) => get(`/api/messages/conversations/${c.id}`, c.member)),
      (body) => ((body as { messages?: unknown[] }).messages?.length === 50 ? null : 'not a full page of 50 messages')
    );

    // One at a time: first the floor (the cheapest route, timed the same way), then the directory.
    await settle(origin);
    const floor: number[] = [];
    for (let i = 0; i < 400; i++) {
      const sent = performance.now();
      await fetch(`${origin}/api/health`).then((res) => res.arrayBuffer());
      floor.push(performance.now() - sent);
    }
    rows.push({
      route: 'GET /api/health (400 × one at a time: the timing floor)',
      reqPerSec: 1000 / (floor.reduce((a, b) => a + b, 0) / floor.length),
      p50Ms: round1(percentile(floor, 50)),
      p99Ms: round1(percentile(floor, 99)),
      ratio: Number.NaN,
      failures: 0
    });
    const queries = probeQueries(fx, await nextPageQueries(origin, fx));
    process.stdout.write(`  directory: 200 queries × ${PROBE_PASSES} (+1 warm-up pass), one at a time…\n`);
    const probe = await runProbe(origin, fx, queries);
    rows.push({
      route: `GET /api/members (200 varied queries × ${PROBE_PASSES}, one at a time)`,
      reqPerSec: 1000 / probe.meanMs,
      p50Ms: probe.p50Ms,
      p99Ms: probe.p99Ms,
      ratio: Number.NaN,
      failures: probe.failures.length
    });

    process.stdout.write(`  sending messages for ${SENDING.durationS} s…\n`);
    const bodies = [
      'Thanks for the call yesterday. Could you send the referral checklist your task force uses?',
      'Happy to help. Our victim advocate drafted a safety plan template; I will share it here.',
      'Do you have a contact at the shelter who handles emergency housing for minors?',
      'We are seeing the same debt bondage pattern in a rural county. Can we compare notes?',
      'The forensic interviewer is available next week if your team needs one.',
      'Got it, thank you. I will pass this on to the case agent.'
    ];
    const sends: Req[] = Array.from({ length: 1000 }, (_, i) => {
      const s = fx.senders[(i * 7) % fx.senders.length]!;
      return {
        method: 'POST',
        path: `/api/messages/conversations/${s.conversationId}`,
        headers: { cookie: fx.cookie.get(s.member)!, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ body: bodies[i % bodies.length] })
      };
    });
    const probeSend = await fetch(`${origin}${sends[0]!.path}`, {
      method: 'POST',
      headers: sends[0]!.headers,
      body: sends[0]!.body!
    });
    if (probeSend.status !== 201) throw new Error(`Sending answered ${probeSend.status}: ${await probeSend.text()}`);
    await settle(origin);
    process.stdout.write('  POST /api/messages/conversations/:id…\n');
    const sending = await cannon(origin, sends, SENDING);
    rows.push({
      route: `POST /api/messages/conversations/:id (${fx.senders.length} members, each in their own conversation)`,
      reqPerSec: sending.reqPerSec,
      p50Ms: sending.p50Ms,
      p99Ms: sending.p99Ms,
      ratio: Number.NaN,
      failures: sending.failures
    });

    await stopServer(server);
    // Every 2xx is a message on disk, and each side's unread count is what the app's recount gives.
    const db = new Database(dbFile, { readonly: true });
    const created = (db.prepare('SELECT count(*) AS n FROM messages WHERE id > ?').get(fx.maxMessageId) as { n: number }).n;
    const wrongUnread = (
      db
        .prepare(
          `SELECT count(*) AS n FROM conversation_members cm WHERE cm.unread_count <> (
             SELECT count(*) FROM messages msg WHERE msg.conversation_id = cm.conversation_id AND msg.sender_id <> cm.member_id
               AND msg.id > cm.last_read_message_id AND msg.deleted_at IS NULL)`
        )
        .get() as { n: number }
    ).n;
    db.close();
    if (created < sending.ok || wrongUnread > 0) {
      notes.push(
        `Sending check FAILED: ${sending.ok} messages answered 201, ${created} on disk; ${wrongUnread} unread counts differ from a recount.`
      );
    }

    for (const [route, figure] of Object.entries(ratios)) extra[`Ratio: ${route}`] = figure;
    extra['Directory one at a time'] =
      `p50 ${probe.p50Ms} ms, p99 ${probe.p99Ms} ms over ${probe.samples} timed queries (floor: /api/health p99 ${round1(percentile(floor, 99))} ms)`;
    for (const [kind, k] of Object.entries(probe.byKind)) {
      extra[`Directory, ${kind}`] = `p50 ${k.p50} ms, p99 ${k.p99} ms, max ${k.max} ms (${k.samples} samples; ${k.results})`;
    }
    extra['Directory, slowest queries (fastest of their runs)'] = probe.slowest.join('; ');
    extra['Directory, results'] = probe.hitRange;
    const flags: string[] = [];
    if (probe.p99Ms > FLAG_MS) flags.push(`all 200 queries: p99 ${probe.p99Ms} ms`);
    for (const [kind, k] of Object.entries(probe.byKind)) if (k.p99 > FLAG_MS) flags.push(`${kind}: p99 ${k.p99} ms`);
    extra[`FLAG: one-at-a-time p99 above ${FLAG_MS} ms`] = flags.length ? flags.join('; ') : 'none';
    if (probe.overFlag.length) {
      extra[`FLAG: queries above ${FLAG_MS} ms even at their fastest`] =
        `${probe.overFlag.length}: ${probe.overFlag.slice(0, 10).join('; ')}`;
    }
    extra['Sending'] =
      `${Math.round(sending.reqPerSec)} messages/s sustained over ${SENDING.durationS} s (${sending.ok} answered 201, ${created} on disk incl. warm-up; ${sending.failures} failures), MESSAGES_PER_MINUTE=10000, MESSAGES_PER_DAY=100000`;
    extra.probe = probe;
    if (probe.stoppedEarly) {
      notes.push(
        `The probe stopped after ${PROBE_BUDGET_MS / 1000} s with ${probe.samples} timed queries (of ${200 * PROBE_PASSES}).`
      );
    }
    if (probe.failures.length) notes.push(`Probe failures: ${probe.failures.slice(0, 5).join('; ')}`);
    const after = machine();
    notes.push(
      `Load average before ${before.loadavg.join(' / ')}, after ${after.loadavg.join(' / ')} on ${before.cpus} CPUs${before.loadavg[0]! > before.cpus ? ': the machine was busy, expect noise' : ''}.`,
      seedNote,
      `The run after seeding took ${Math.round((performance.now() - runStarted) / 1000)} s (copy, server start, measurements).`,
      'The app runs as server/main.ts in a child process (NODE_ENV=production, API only, logging silent); each ceiling is a bare Fastify route in the bench process answering every request with the exact bytes the app sent for that path and session; autocannon runs in a worker thread.',
      'List rows rotate over 40 members of different task forces (each sees a different directory: per-field visibility); the probe runs every seventh query as an admin or a coordinator.',
      'No ANALYZE is run on the seed: the app does not run one either, so the query planner sees what production sees.',
      'Latency from autocannon is in whole milliseconds ("<1" = under 1 ms); one-at-a-time latency is measured per request with performance.now() around fetch.'
    );
    return {
      bench: 'directory',
      date: new Date().toISOString(),
      machine: before,
      settings: {
        ...LOAD,
        sending: SENDING,
        probePasses: PROBE_PASSES,
        flagMs: FLAG_MS,
        seed: seedKey(),
        loadGenerator: 'autocannon in one worker thread'
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
