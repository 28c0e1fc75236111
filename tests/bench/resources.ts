import Database from 'better-sqlite3';
import autocannon from 'autocannon';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { generateToken, hashToken } from '../../server/shared/tokens.ts';
import { startServer as startAppServer, stopServer } from './discussions.ts';
import { percentile } from './load.ts';
import { machine, type Report, type Row } from './report.ts';
import { migrateCopy, prng, RARE_TIERS as FILE_RARE_TIERS } from './seed-discussions.ts';
import {
  cachedResourceSeed,
  CONTENT_ONLY,
  describeSeed,
  planFor,
  RARE_TIERS,
  seedFiles,
  writeSeedFiles
} from './seed-resources.ts';
import { freePort } from './child.ts';

/**
 * `npm run bench -- resources`: the real server (server/main.ts, a child process) on 50,000 seeded
 * resources. Search latency one query at a time; 20 concurrent 50 MB uploads with the server's RSS
 * sampled every 100 ms; downloads of a ~1 MB file against @fastify/static serving the same bytes
 * from disk in the bench process (the baseline). Everything on 127.0.0.1.
 * BENCH_RESOURCES_SCALE=0.02 runs on a smaller seed.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGETS = { searchP99Ms: 25, uploadRssMb: 100, downloadRatio: 0.5 };
const SEARCH_PASSES = 2;
/** Search is measured one query at a time: a slow build must not hold the run hostage. */
const SEARCH_BUDGET_MS = 120_000;
const DOWNLOAD = { connections: 10, durationS: 8, warmupS: 1, rounds: 2 };
const UPLOADS = 20;
const UPLOAD_BYTES = 50 * 1024 * 1024;
/** After the uploads, how long to keep sampling while the server reads the new files' text. */
const EXTRACTION_WAIT_MS = 90_000;
const DAY = 86_400_000;
const MB = 1024 * 1024;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The app (tests/bench/discussions.ts startServer), API only, with room for 20 uploads at once from 20 members. */
const startServer = (dataDir: string, port: number) =>
  startAppServer(dataDir, port, null, { SERVE_WEB: 'false', UPLOADS_PER_HOUR: '1000', UPLOAD_MAX_MB: '100' });

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
  cookieName: string;
  searchers: string[];
  downloaders: string[];
  uploaders: string[];
  downloadResourceId: number;
  downloadSha: string;
  downloadSize: number;
  seededKeys: number;
}

/** Sessions minted in the copy (SessionStore's rows: id = sha-256 of the token), before the server opens it. */
function prepare(file: string): Omit<Fixtures, 'seededKeys'> {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const ids = (sql: string) => (db.prepare(sql).all() as { id: number }[]).map((r) => r.id);
  const plain = `SELECT id FROM members WHERE role = 'member' AND status = 'active'`;
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, member_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, '127.0.0.1', 'bench')`
  );
  const cookies = (members: number[]) =>
    members.map((id) => {
      const token = generateToken();
      insertSession.run(hashToken(token), id, now, now, now + 12 * 3_600_000);
      return token;
    });
  const download = db
    .prepare(
      `SELECT r.id, v.sha256, v.size FROM resources r JOIN resource_versions v ON v.id = r.current_version_id
       JOIN categories c ON c.id = r.category_id WHERE r.deleted_at IS NULL AND c.is_private = 0 ORDER BY v.size DESC LIMIT 1`
    )
    .get() as { id: number; sha256: string; size: number };
  const fixtures = db.transaction(() => {
    // A cached seed may be weeks old: the access job would disable idle members, and retention
    // would purge resources deleted more than 30 days ago in the middle of the measurements.
    db.prepare(`UPDATE members SET last_active_at = ? WHERE status = 'active'`).run(now);
    db.prepare('UPDATE resources SET deleted_at = ? - (id % 20 + 1) * ? WHERE deleted_at IS NOT NULL').run(now, DAY);
    db.prepare(
      'UPDATE threads SET deleted_at = (SELECT deleted_at FROM resources r WHERE r.thread_id = threads.id) WHERE deleted_at IS NOT NULL'
    ).run();
    return {
      // Members of every task force and discipline (what each sees differs by its private resources).
      searchers: cookies(ids(`${plain} ORDER BY id LIMIT 200`)),
      downloaders: cookies(ids(`${plain} ORDER BY id DESC LIMIT 10`)),
      uploaders: cookies(ids(`${plain} ORDER BY id LIMIT ${UPLOADS} OFFSET 200`))
    };
  })();
  db.close();
  if (fixtures.searchers.length < 100 || fixtures.uploaders.length < UPLOADS) {
    throw new Error('The seeded database lacks the members the benchmark needs.');
  }
  return {
    cookieName: 'tfc_session',
    ...fixtures,
    downloadResourceId: download.id,
    downloadSha: download.sha256,
    downloadSize: download.size
  };
}

// ——— Search.

/** The fixed list of 200 queries: words, phrases, tags, rare words, words only inside files, prefixes, acronyms, combinations. */
export function searchQueries(): { q: string; kind: string }[] {
  const out: { q: string; kind: string }[] = [];
  const add = (kind: string, list: string[]) => out.push(...list.map((q) => ({ q, kind })));
  // A trailing space means the member finished the word: no prefix expansion.
  const words =
    'protocol template training policy research toolkit interview housing victim screening referral certification outreach survivor prosecutor interpreter checklist consent intake grant labor shelter safety language restitution hotline investigation webinar glossary agency'.split(
      ' '
    );
  add(
    'common word',
    words.map((w) => `${w} `)
  );
  const phrases = [
    'labor trafficking',
    'forensic interviews',
    'continued presence',
    'language access',
    'emergency housing',
    'minor victim',
    'safety planning',
    'case review',
    'victim compensation',
    'data collection',
    'hotline tip',
    'debt bondage',
    'survivor leadership',
    'interpreter services',
    'mental health',
    'school-based prevention',
    'financial investigations',
    'trauma-informed case management',
    'what is inside',
    'red flags',
    'plain language',
    'task force information sharing',
    'motel and hotel outreach',
    'courtroom accompaniment',
    'immigration relief'
  ];
  add(
    'phrase',
    phrases.map((p) => `"${p}"`)
  );
  add('tag', [
    ...'t-visa mou ovc ecm csec dmst ncmec u-visa wellness tribal rural spanish aftercare massage construction restaurants hotels cross-border'
      .split(' ')
      .map((t) => `${t} `),
    '"roll call"',
    '"model policy"',
    '"vicarious trauma"',
    '"peer support"',
    '"cedar valley"',
    '"harbor point"',
    '"coral coast"'
  ]);
  add(
    'rare word',
    RARE_TIERS.flatMap((t) => t.words).map((w) => `${w} `)
  );
  // Words that appear only in the text extracted from files (the seed verifies it).
  const insideOnly = [
    ...CONTENT_ONLY.flatMap((t) => t.words),
    ...FILE_RARE_TIERS.flatMap((t) => t.words).filter((w) => !RARE_TIERS.some((t) => t.words.includes(w)))
  ].slice(0, 12);
  add(
    'inside files only',
    insideOnly.map((w) => `${w} `)
  );
  add(
    'prefix',
    'wareh fisher sawmi apiar lighth kaleid metron albatr harpsi traff interv certif restit screen outrea templa protoc traini housin langua surviv shelte hotlin consen intake referr webin gloss immig compen'.split(
      ' '
    )
  );
  add(
    'acronym',
    'OVC HSI T-visa ECM NCMEC CSEC DMST CAC FBI'.split(' ').map((w) => `${w} `)
  );
  const r = prng(55);
  const one = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const rare = RARE_TIERS.flatMap((t) => t.words);
  const combos: string[] = [];
  const wanted = 200 - out.length;
  while (combos.length < wanted) {
    const n = combos.length;
    const q =
      n % 5 === 0
        ? `${one(words)} ${one(words)} `
        : n % 5 === 1
          ? `${one(words)} ${one(rare)} `
          : n % 5 === 2
            ? `"${one(phrases)}" ${one(words)} `
            : n % 5 === 3
              ? `${one(words)} ${one(insideOnly)} `
              : `${one(['OVC', 'T-visa', 'ECM', 'CSEC'])} ${one(words)}`;
    if (!combos.includes(q)) combos.push(q);
  }
  add('combination', combos);
  if (out.length !== 200) throw new Error(`Expected 200 search queries, built ${out.length}`);
  return out;
}

interface SearchRun {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
  failures: string[];
  byKind: Record<string, string>;
  slowest: string[];
  hitRange: string;
  stoppedEarly: boolean;
}

/** Each query in turn (one at a time, so the figure is the query's own latency), round-robin over the searchers' sessions. */
async function runSearch(
  origin: string,
  url: (q: string) => string,
  count: (body: unknown) => number,
  cookies: string[],
  passes: number,
  offset: number
): Promise<SearchRun> {
  const queries = searchQueries();
  const perQuery = new Map<string, number[]>();
  const hits = new Map<string, number>();
  const failures: string[] = [];
  let n = offset;
  let stoppedEarly = false;
  const started = performance.now();
  for (let pass = 0; pass <= passes && !stoppedEarly; pass++) {
    for (const { q } of queries) {
      if (performance.now() - started > SEARCH_BUDGET_MS) {
        stoppedEarly = true;
        break;
      }
      const cookie = cookies[n++ % cookies.length]!;
      const sent = performance.now();
      const res = await fetch(`${origin}${url(q)}`, { headers: { cookie } });
      const body = (await res.json()) as unknown;
      const ms = performance.now() - sent;
      if (!res.ok) {
        failures.push(`${res.status} for ${JSON.stringify(q)}: ${JSON.stringify(body).slice(0, 120)}`);
        continue;
      }
      hits.set(q, count(body));
      // Pass 0 warms the page cache and the prepared statements; it is not counted.
      if (pass > 0) perQuery.set(q, [...(perQuery.get(q) ?? []), ms]);
    }
  }
  const all = [...perQuery.values()].flat();
  if (all.length === 0) throw new Error(`Search: no query finished within ${SEARCH_BUDGET_MS / 1000} s`);
  const byKind: Record<string, string> = {};
  for (const kind of [...new Set(queries.map((x) => x.kind))]) {
    const samples = queries.filter((x) => x.kind === kind).flatMap((x) => perQuery.get(x.q) ?? []);
    const kindHits = queries.filter((x) => x.kind === kind).map((x) => hits.get(x.q) ?? 0);
    byKind[kind] =
      samples.length === 0
        ? 'not measured'
        : `p50 ${round1(percentile(samples, 50))} ms, p99 ${round1(percentile(samples, 99))} ms, max ${round1(Math.max(...samples))} ms (${samples.length} samples; results per query ${Math.min(...kindHits)}–${Math.max(...kindHits)})`;
  }
  // By each query's fastest time: the ones slow every time, not the ones a busy machine delayed once.
  const slowest = [...perQuery.entries()]
    .map(([q, list]) => ({ q, min: Math.min(...list), max: Math.max(...list) }))
    .sort((a, b) => b.min - a.min)
    .slice(0, 5)
    .map((x) => `${JSON.stringify(x.q)} ${round1(x.min)}${x.max > x.min ? `–${round1(x.max)}` : ''} ms`);
  const counts = [...hits.values()];
  return {
    p50Ms: round1(percentile(all, 50)),
    p99Ms: round1(percentile(all, 99)),
    meanMs: all.reduce((a, b) => a + b, 0) / all.length,
    samples: all.length,
    failures,
    byKind,
    slowest,
    hitRange: `${counts.filter((c) => c === 0).length} of ${counts.length} queries found nothing; the rest found ${Math.min(...counts.filter((c) => c > 0))}–${Math.max(...counts)} on the first page`,
    stoppedEarly
  };
}

// ——— Downloads.

interface Cannonade {
  reqPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failures: number;
}

interface Req {
  method: 'GET';
  path: string;
  headers: Record<string, string>;
}

async function cannon(url: string, requests?: Req[]): Promise<Cannonade> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`Benchmarks only run against 127.0.0.1, not ${url}`);
  const result = (await autocannon({
    url,
    connections: DOWNLOAD.connections,
    duration: DOWNLOAD.durationS,
    warmup: { connections: DOWNLOAD.connections, duration: DOWNLOAD.warmupS },
    workers: 1,
    ...(requests ? { requests } : {})
  } as Parameters<typeof autocannon>[0])) as Awaited<ReturnType<typeof autocannon>> & {
    '2xx': number;
    throughput: { total: number };
  };
  const none = result['2xx'] === 0;
  return {
    reqPerSec: result['2xx'] / result.duration,
    mbPerSec: result.throughput.total / result.duration / MB,
    p50Ms: none ? Number.NaN : result.latency.p50,
    p99Ms: none ? Number.NaN : result.latency.p99,
    ok: result['2xx'],
    failures: result.non2xx + result.errors + result.timeouts
  };
}

function mean(list: Cannonade[]): Cannonade {
  const avg = (f: (c: Cannonade) => number) => list.reduce((a, c) => a + f(c), 0) / list.length;
  return {
    reqPerSec: avg((c) => c.reqPerSec),
    mbPerSec: avg((c) => c.mbPerSec),
    p50Ms: avg((c) => c.p50Ms),
    p99Ms: avg((c) => c.p99Ms),
    ok: list.reduce((a, c) => a + c.ok, 0),
    failures: list.reduce((a, c) => a + c.failures, 0)
  };
}

// ——— Uploads.

type UploadKind = 'mp4' | 'csv';

interface UploadFile {
  path: string;
  name: string;
  sha256: string;
  size: number;
  kind: UploadKind;
}

/** 1 MB blocks the upload files are made of (each file: its own header, then blocks in its own order). */
function uploadBlocks(kind: UploadKind): Buffer[] {
  const r = prng(kind === 'csv' ? 2026 : 2027);
  const places = ['Cedar Valley', 'Harbor Point', 'Red Mesa', 'Pine Hollow', 'Silver Lake', 'Granite Ridge', 'Willow Creek'];
  const kinds = ['labor', 'sex', 'both', 'unknown'];
  const states = ['open', 'closed', 'pending', 'referred'];
  const services = ['housing', 'legal aid', 'interpreter', 'medical', 'counseling', 'case management', 'immigration relief'];
  const one = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const blocks: Buffer[] = [];
  for (let b = 0; b < 8; b++) {
    if (kind === 'mp4') {
      // Video data does not compress or repeat: pseudo-random bytes.
      const block = Buffer.alloc(MB);
      for (let i = 0; i < MB; i += 4) block.writeUInt32LE(Math.floor(r() * 0x1_0000_0000), i);
      blocks.push(block);
      continue;
    }
    const rows: string[] = [];
    let length = 0;
    while (length < MB) {
      const day = `${2020 + Math.floor(r() * 6)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
      const row = `${day},${one(places)},${one(kinds)},${one(services)},${one(states)},${Math.floor(r() * 40)}\n`;
      rows.push(row);
      length += row.length;
    }
    blocks.push(Buffer.from(rows.join(''), 'utf8'));
  }
  return blocks;
}

/** The start of an upload file: an MP4 ftyp box and the header of the mdat box that holds the rest; a CSV's header rows. */
function uploadHeader(kind: UploadKind, n: number): Buffer {
  if (kind === 'csv') {
    return Buffer.from(
      `export ${n} of ${UPLOADS},generated for the resource library benchmark\ndate,county,type,service,status,contacts\n`
    );
  }
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isommp41', 16, 'latin1');
  const mdat = Buffer.alloc(16);
  mdat.writeUInt32BE(UPLOAD_BYTES - 24, 0);
  mdat.write('mdat', 4, 'latin1');
  mdat.writeUInt32BE(n, 8);
  return Buffer.concat([ftyp, mdat]);
}

/**
 * 20 distinct 50 MB files written once to disk: MP4 training recordings (stored as they are, not
 * read for search) or CSV caseload exports (their text is read for search in the background).
 */
async function makeUploadFiles(dir: string, kind: UploadKind): Promise<UploadFile[]> {
  const blocks = uploadBlocks(kind);
  const r = prng(kind === 'csv' ? 7 : 8);
  const files: UploadFile[] = [];
  for (let n = 1; n <= UPLOADS; n++) {
    const name = kind === 'csv' ? `caseload-export-${String(n).padStart(2, '0')}.csv` : `training-recording-${n}.mp4`;
    const file = path.join(dir, name);
    const hash = createHash('sha256');
    const out = createWriteStream(file);
    const write = async (chunk: Buffer) => {
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    };
    const header = uploadHeader(kind, n);
    await write(header);
    let size = header.length;
    while (size < UPLOAD_BYTES) {
      const block = blocks[Math.floor(r() * blocks.length)]!;
      const room = UPLOAD_BYTES - size;
      // A CSV ends on a whole row; a video fills the size its mdat box declares.
      const chunk =
        block.length <= room
          ? block
          : kind === 'csv'
            ? block.subarray(0, block.lastIndexOf(10, room - 1) + 1)
            : block.subarray(0, room);
      if (chunk.length === 0) break;
      await write(chunk);
      size += chunk.length;
    }
    out.end();
    await once(out, 'finish');
    files.push({ path: file, name, sha256: hash.digest('hex'), size, kind });
  }
  return files;
}

interface UploadResult {
  status: number;
  body: string;
  ms: number;
}

/** One multipart upload as a browser form sends it, the file streamed from disk (never held in memory). */
function upload(origin: string, cookie: string, file: UploadFile, n: number): Promise<UploadResult> {
  const boundary = `----tfcBench${n}${Date.now().toString(16)}`;
  const fields: Record<string, string> =
    file.kind === 'csv'
      ? {
          title: `Caseload export ${n} for the quarterly ECM report`,
          description: 'Quarterly caseload export (de-identified counts only), as we send it with the ECM performance report.',
          type: 'template',
          tags: 'data, grant reporting',
          audience: 'all'
        }
      : {
          title: `Training recording ${n}: victim-centered interviews`,
          description: 'Recording of our roll-call training session on victim-centered interviews.',
          type: 'training',
          tags: 'training, webinar',
          audience: 'all'
        };
  const head = Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.kind === 'csv' ? 'text/csv' : 'video/mp4'}\r\n\r\n`
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL('/api/resources/files', origin);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          cookie,
          origin,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + file.size + tail.length)
        }
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    req.write(head);
    const source = createReadStream(file.path, { highWaterMark: 256 * 1024 });
    source.on('error', reject);
    source.on('end', () => req.end(tail));
    source.pipe(req, { end: false });
  });
}

interface Memory {
  at: number;
  /** VmRSS, and its anonymous (heap, SQLite cache, buffers) and file-backed (code, the mmap'd database) parts, KB. */
  rss: number;
  anon: number;
  file: number;
}

function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { at: performance.now(), rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Samples the server's memory every 100 ms until stopped. */
function sampler(pid: number) {
  const samples: Memory[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(memory(pid));
    } catch {
      // the process is gone
    }
  }, 100);
  const within = (from: number, to: number) => samples.filter((s) => s.at >= from && s.at <= to);
  return {
    stop: () => clearInterval(timer),
    /** The median over a window (the level before a phase). */
    median: (from: number, to: number): Memory => {
      const list = within(from, to);
      const mid = (key: 'rss' | 'anon' | 'file') =>
        percentile(
          list.map((s) => s[key]),
          50
        );
      return { at: from, rss: mid('rss'), anon: mid('anon'), file: mid('file') };
    },
    /** The sample with the highest VmRSS in a window. */
    peak: (from: number, to = Number.POSITIVE_INFINITY): Memory =>
      within(from, to).reduce((a, b) => (b.rss > a.rss ? b : a), { at: from, rss: 0, anon: 0, file: 0 })
  };
}

interface UploadRound {
  kind: UploadKind;
  files: UploadFile[];
  results: UploadResult[];
  wallS: number;
  base: Memory;
  duringPeak: Memory;
  afterPeak: Memory;
  afterSeconds: number;
  extraction: string;
}

/** 20 uploads at once from 20 members; then, for files read for search, until their text is indexed. */
async function uploadRound(origin: string, pid: number, cookies: string[], files: UploadFile[]): Promise<UploadRound> {
  const kind = files[0]!.kind;
  await settle(origin);
  const rss = sampler(pid);
  try {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const base = rss.median(performance.now() - 1_000, performance.now());
    process.stdout.write(
      `  uploads: ${UPLOADS} × ${UPLOAD_BYTES / MB} MB ${kind.toUpperCase()} at once (server RSS before: ${Math.round(base.rss / 1024)} MB)…\n`
    );
    const started = performance.now();
    const results = await Promise.all(files.map((f, n) => upload(origin, cookies[n]!, f, n + 1)));
    const ended = performance.now();
    const created = results.map((r) => (r.status === 201 ? (JSON.parse(r.body) as { id: number }).id : null));
    let extraction = 'none to read';
    const deadline = ended + (kind === 'csv' ? EXTRACTION_WAIT_MS : 3_000);
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (kind !== 'csv') continue;
      const states = await Promise.all(
        created
          .filter((id): id is number => id !== null)
          .map(async (id, n) => {
            const res = await fetch(`${origin}/api/resources/${id}`, { headers: { cookie: cookies[n % cookies.length]! } });
            return ((await res.json()) as { extraction?: string }).extraction ?? 'unknown';
          })
      );
      const tally = states.reduce<Record<string, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {});
      extraction = Object.entries(tally)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ');
      if (!states.includes('pending')) break;
    }
    return {
      kind,
      files,
      results,
      wallS: (ended - started) / 1000,
      base,
      duringPeak: rss.peak(started, ended),
      afterPeak: rss.peak(ended),
      afterSeconds: round1((performance.now() - ended) / 1000),
      extraction
    };
  } finally {
    rss.stop();
  }
}

const storeKeys = (root: string) =>
  existsSync(root)
    ? readdirSync(root)
        .filter((a) => /^[0-9a-f]{2}$/.test(a))
        .flatMap((a) => readdirSync(path.join(root, a)).flatMap((b) => readdirSync(path.join(root, a, b))))
    : [];

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

export async function resourcesBench(): Promise<Report> {
  const before = machine();
  const scale = Number(process.env.BENCH_RESOURCES_SCALE ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_RESOURCES_SCALE must be in (0, 1]');
  process.stdout.write('  seed…\n');
  const seed = await cachedResourceSeed(scale);
  const seedNote = seed.stats
    ? `Seeded now: ${describeSeed(seed.stats)} (${JSON.stringify(seed.stats.phases)}).`
    : `Seed from the cache: ${path.relative(ROOT, seed.file)} (${(statSync(seed.file).size / 1e6).toFixed(0)} MB).`;
  process.stdout.write(`  ${seedNote}\n`);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-bench-resources-'));
  const uploadDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-bench-uploads-'));
  const storeRoot = path.join(dataDir, 'files');
  const notes: string[] = [];
  const extra: Record<string, unknown> = {};
  const rows: Row[] = [];
  let server: ChildProcess | null = null;
  const bare = Fastify({ logger: false });
  try {
    const copyStarted = performance.now();
    const dbFile = path.join(dataDir, 'tfc.sqlite');
    copyFileSync(seed.file, dbFile);
    migrateCopy(dbFile);
    const files = seedFiles(planFor(scale).files);
    writeSeedFiles(storeRoot, files);
    const fx: Fixtures = { ...prepare(dbFile), seededKeys: files.length };
    const copySeconds = round1((performance.now() - copyStarted) / 1000);
    const check0 = new Database(dbFile, { readonly: true });
    const named0 = check0.prepare('SELECT DISTINCT sha256 FROM resource_versions').all() as { sha256: string }[];
    check0.close();
    const missing = named0.filter((v) => !files.some((f) => f.sha256 === v.sha256));
    if (missing.length)
      throw new Error(`${missing.length} files the seed names were not regenerated: delete bench/.cache/resources-*`);
    process.stdout.write(`  ${UPLOADS} MP4 and ${UPLOADS} CSV upload files of ${UPLOAD_BYTES / MB} MB…\n`);
    const uploadSets = [await makeUploadFiles(uploadDir, 'mp4'), await makeUploadFiles(uploadDir, 'csv')];

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    process.stdout.write(`  server on ${origin} (copy and files took ${copySeconds} s)…\n`);
    server = await startServer(dataDir, port);
    const pid = server.pid!;
    const cookieOf = (token: string) => `${fx.cookieName}=${token}`;

    // ——— Search.
    const listUrl = (q: string) => `/api/resources?q=${encodeURIComponent(q)}`;
    const listCount = (body: unknown) => {
      const b = body as { resources?: unknown[]; next?: string | null };
      return (b.resources?.length ?? 0) + (b.next ? 1 : 0);
    };
    const searchers = fx.searchers.map(cookieOf);
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
    process.stdout.write(`  search: GET /api/resources?q=, 200 queries × ${SEARCH_PASSES} (+1 warm-up pass), one at a time…\n`);
    const list = await runSearch(origin, listUrl, listCount, searchers, SEARCH_PASSES, 0);
    rows.push({
      route: `GET /api/resources?q= (200 queries × ${SEARCH_PASSES}, one at a time; p50/p99 in ms)`,
      reqPerSec: 1000 / list.meanMs,
      p50Ms: list.p50Ms,
      p99Ms: list.p99Ms,
      ratio: Number.NaN,
      failures: list.failures.length
    });
    process.stdout.write('  search: GET /api/search?q= (global page: discussions and the top 5 resources), 200 queries × 1…\n');
    const global = await runSearch(
      origin,
      (q) => `/api/search?q=${encodeURIComponent(q)}`,
      (body) => (body as { resources?: unknown[] }).resources?.length ?? 0,
      searchers,
      1,
      1
    );
    rows.push({
      route: 'GET /api/search?q= (global, top 5 resources; 200 queries, one at a time)',
      reqPerSec: 1000 / global.meanMs,
      p50Ms: global.p50Ms,
      p99Ms: global.p99Ms,
      ratio: Number.NaN,
      failures: global.failures.length
    });

    // ——— Downloads: the app against @fastify/static serving the very same stored file.
    const stored = path.join(storeRoot, fx.downloadSha.slice(0, 2), fx.downloadSha.slice(2, 4));
    await bare.register(fastifyStatic, { root: stored, prefix: '/files/' });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/files/${fx.downloadSha}`;
    const downloadPath = `/api/resources/${fx.downloadResourceId}/download`;
    const check = await fetch(`${origin}${downloadPath}`, { headers: { cookie: cookieOf(fx.downloaders[0]!) } });
    const bytes = Buffer.from(await check.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (check.status !== 200 || sha !== fx.downloadSha || !/^attachment;/.test(check.headers.get('content-disposition') ?? '')) {
      throw new Error(`The download answered ${check.status} with ${bytes.length} bytes (sha ${sha.slice(0, 12)}…)`);
    }
    const baseCheck = await fetch(bareUrl);
    if (Buffer.from(await baseCheck.arrayBuffer()).length !== fx.downloadSize) throw new Error('The baseline serves other bytes');
    const countsBefore = downloadCounts(dbFile, fx.downloadResourceId);
    const requests = (range: boolean): Req[] =>
      fx.downloaders.map((token) => ({
        method: 'GET',
        path: downloadPath,
        headers: { cookie: cookieOf(token), ...(range ? { range: 'bytes=1-' } : {}) }
      }));
    const runs = { baseline: [] as Cannonade[], app: [] as Cannonade[], range: [] as Cannonade[] };
    for (let round = 1; round <= DOWNLOAD.rounds; round++) {
      process.stdout.write(`  downloads, round ${round} of ${DOWNLOAD.rounds}: baseline, app, app with Range…\n`);
      await settle(origin);
      runs.baseline.push(await cannon(bareUrl));
      await settle(origin);
      runs.app.push(await cannon(origin, requests(false)));
      await settle(origin);
      runs.range.push(await cannon(origin, requests(true)));
    }
    const countsAfter = downloadCounts(dbFile, fx.downloadResourceId);
    const baseline = mean(runs.baseline);
    const app = mean(runs.app);
    const ranged = mean(runs.range);
    const sizeMb = (fx.downloadSize / MB).toFixed(2);
    rows.push(
      {
        route: `baseline: @fastify/static, the same ${sizeMb} MB file from disk`,
        reqPerSec: baseline.reqPerSec,
        p50Ms: baseline.p50Ms,
        p99Ms: baseline.p99Ms,
        ratio: 1,
        failures: baseline.failures
      },
      {
        route: `GET /api/resources/:id/download (${sizeMb} MB; counted and audited)`,
        reqPerSec: app.reqPerSec,
        p50Ms: app.p50Ms,
        p99Ms: app.p99Ms,
        ratio: app.reqPerSec / baseline.reqPerSec,
        failures: app.failures
      },
      {
        route: 'GET /api/resources/:id/download, Range: bytes=1- (206; not counted)',
        reqPerSec: ranged.reqPerSec,
        p50Ms: ranged.p50Ms,
        p99Ms: ranged.p99Ms,
        ratio: ranged.reqPerSec / baseline.reqPerSec,
        failures: ranged.failures
      }
    );

    // ——— Uploads: 20 at once, twice: videos (stored as they are) and CSV exports (then read for search).
    const uploaderCookies = fx.uploaders.map(cookieOf);
    const rounds: UploadRound[] = [];
    for (const set of uploadSets) rounds.push(await uploadRound(origin, pid, uploaderCookies, set));
    for (const round of rounds) {
      const durations = round.results.map((r) => r.ms);
      rows.push({
        route: `POST /api/resources/files (${UPLOADS} × ${UPLOAD_BYTES / MB} MB ${round.kind.toUpperCase()} at once; req/s = uploads per second)`,
        reqPerSec: UPLOADS / round.wallS,
        p50Ms: percentile(durations, 50),
        p99Ms: percentile(durations, 99),
        ratio: Number.NaN,
        failures: round.results.filter((r) => r.status !== 201).length
      });
    }

    await stopServer(server);
    server = null;
    // Every 2xx is a file stored once under its hash, named by exactly one version; nothing left in the temp folder.
    const db = new Database(dbFile, { readonly: true });
    const named = db.prepare('SELECT count(*) AS n FROM resource_versions WHERE sha256 = ?');
    const storeProblems: string[] = [];
    for (const f of uploadSets.flat()) {
      const where = path.join(storeRoot, f.sha256.slice(0, 2), f.sha256.slice(2, 4), f.sha256);
      const size = existsSync(where) ? statSync(where).size : -1;
      const rowsNaming = (named.get(f.sha256) as { n: number }).n;
      if (size !== f.size || rowsNaming !== 1) storeProblems.push(`${f.name}: stored ${size} bytes, ${rowsNaming} versions`);
    }
    db.close();
    const keys = storeKeys(storeRoot);
    const temp = existsSync(path.join(storeRoot, 'tmp')) ? readdirSync(path.join(storeRoot, 'tmp')) : [];

    const target = (name: string, ok: boolean, value: string) => {
      extra[`Target: ${name}`] = `${value} — ${verdict(ok)}`;
    };
    target(
      `search p99 ≤ ${TARGETS.searchP99Ms} ms (GET /api/resources?q=)`,
      list.p99Ms <= TARGETS.searchP99Ms,
      `p50 ${list.p50Ms} ms, p99 ${list.p99Ms} ms`
    );
    const mb = (kb: number) => Math.round(kb / 1024);
    const growth = (peak: Memory, base: Memory) =>
      `${round1((peak.rss - base.rss) / 1024)} MB over ${mb(base.rss)} MB (peak ${mb(peak.rss)} MB: anonymous ${mb(peak.anon)} MB, was ${mb(base.anon)}; file-backed ${mb(peak.file)} MB, was ${mb(base.file)})`;
    for (const round of rounds) {
      const ok = round.results.filter((r) => r.status === 201).length;
      target(
        `RSS growth during ${UPLOADS} concurrent ${UPLOAD_BYTES / MB} MB ${round.kind.toUpperCase()} uploads < ${TARGETS.uploadRssMb} MB`,
        (round.duringPeak.rss - round.base.rss) / 1024 < TARGETS.uploadRssMb && ok === UPLOADS,
        `${growth(round.duringPeak, round.base)}; ${ok} of ${UPLOADS} answered 201`
      );
    }
    target(
      `download ≥ ${TARGETS.downloadRatio} × @fastify/static`,
      app.reqPerSec / baseline.reqPerSec >= TARGETS.downloadRatio,
      `${(app.reqPerSec / baseline.reqPerSec).toFixed(2)} × (${Math.round(app.reqPerSec)} vs ${Math.round(baseline.reqPerSec)} req/s)`
    );
    extra['Search, global page'] = `p50 ${global.p50Ms} ms, p99 ${global.p99Ms} ms (${global.samples} samples)`;
    for (const [kind, figures] of Object.entries(list.byKind)) extra[`Search, ${kind}`] = figures;
    extra['Search, slowest queries (fastest–slowest time of each)'] = list.slowest.join('; ');
    extra['Search, global page, slowest queries'] = global.slowest.join('; ');
    extra['Timing floor'] =
      `GET /api/health one at a time: p50 ${round1(percentile(floor, 50))} ms, p99 ${round1(percentile(floor, 99))} ms`;
    extra['Search, hits'] = list.hitRange;
    extra['Download throughput'] =
      `baseline ${Math.round(baseline.mbPerSec)} MB/s, app ${Math.round(app.mbPerSec)} MB/s, app with Range ${Math.round(ranged.mbPerSec)} MB/s (${DOWNLOAD.connections} connections, ${DOWNLOAD.durationS} s, mean of ${DOWNLOAD.rounds} rounds: ${runs.baseline.map((b, i) => `${Math.round(b.reqPerSec)}/${Math.round(runs.app[i]!.reqPerSec)}/${Math.round(runs.range[i]!.reqPerSec)}`).join(', ')} req/s)`;
    extra['Download cost of counting'] =
      `Range (not counted) ${(ranged.reqPerSec / app.reqPerSec).toFixed(2)} × the counted download; download_count +${countsAfter.count - countsBefore.count}, audit rows +${countsAfter.audited - countsBefore.audited} for ${app.ok} counted 2xx measured (warm-ups also count)`;
    for (const round of rounds) {
      const label = round.kind.toUpperCase();
      const durations = round.results.map((r) => r.ms);
      const failed = round.results.filter((r) => r.status !== 201);
      extra[`Uploads, ${label}`] =
        `${UPLOADS} × ${UPLOAD_BYTES / MB} MB in ${round1(round.wallS)} s (${Math.round((UPLOADS * UPLOAD_BYTES) / MB / round.wallS)} MB/s in all); each took ${Math.round(Math.min(...durations))}–${Math.round(Math.max(...durations))} ms`;
      extra[`RSS after the ${label} uploads${round.kind === 'csv' ? ', while their text is read for search' : ''}`] =
        `${growth(round.afterPeak, round.base)} within ${round.afterSeconds} s; extraction: ${round.extraction}`;
      if (failed.length)
        notes.push(`${label} upload failures: ${failed.map((f) => `${f.status} ${f.body.slice(0, 160)}`).join('; ')}`);
    }
    extra['Upload store check'] = storeProblems.length
      ? `FAIL: ${storeProblems.join('; ')}`
      : `PASS: each of the ${UPLOADS * rounds.length} uploaded files stored once under its SHA-256 and named by one version; ${keys.length} files in the store (${fx.seededKeys} seeded + ${keys.length - fx.seededKeys} new); ${temp.length} left in the temp folder`;
    if (list.failures.length) notes.push(`Search failures: ${list.failures.slice(0, 5).join('; ')}`);
    if (global.failures.length) notes.push(`Global search failures: ${global.failures.slice(0, 5).join('; ')}`);
    if (list.stoppedEarly || global.stoppedEarly) notes.push(`Search stopped after ${SEARCH_BUDGET_MS / 1000} s.`);
    if (temp.length) notes.push(`Left in the store's temp folder: ${temp.join(', ')}`);
    extra.search = { list, global };
    extra.downloads = runs;
    extra.uploads = rounds.map((r) => ({
      kind: r.kind,
      base: r.base,
      duringPeak: r.duringPeak,
      afterPeak: r.afterPeak,
      durations: r.results.map((x) => Math.round(x.ms)),
      statuses: r.results.map((x) => x.status)
    }));
    const after = machine();
    notes.push(
      `Load average before ${before.loadavg.join(' / ')}, after ${after.loadavg.join(' / ')} on ${before.cpus} CPUs${before.loadavg[0]! > before.cpus ? ': the machine was busy, expect noise' : ''}.`,
      seedNote,
      `Database copied, migrated and ${files.length} seeded files written for this run in ${copySeconds} s; scale ${scale}${scale === 1 ? ' (full: 2,000 members, 20 task forces, 50,000 resources, 55% files, ~10% private, ~1% deleted)' : ''}.`,
      'The app runs as server/main.ts in a child process (NODE_ENV=production, logging silent, SERVE_WEB=false, UPLOADS_PER_HOUR=1000); the baseline is @fastify/static in the bench process; autocannon runs in a worker thread of the bench process.',
      'Search is timed one query at a time from the bench process (fetch, keep-alive); the first pass over the 200 queries warms caches and is not counted.',
      'RSS growth = the highest VmRSS sampled every 100 ms from the first upload byte to the last reply, minus the median VmRSS over the second before; "after" keeps sampling until the new files are read for search (CSV) or 3 s (MP4, not read). Anonymous = heap, buffers, SQLite page cache; file-backed = code and the mmap\'d database.',
      'The MP4 round measures the upload path alone (video is stored as it is); the CSV round adds the background text extraction, which starts on the first finished uploads while the others still stream.'
    );
    return {
      bench: 'resources',
      date: new Date().toISOString(),
      machine: before,
      settings: {
        scale,
        searchPasses: SEARCH_PASSES,
        download: DOWNLOAD,
        uploads: UPLOADS,
        uploadKinds: ['mp4', 'csv'],
        uploadBytes: UPLOAD_BYTES,
        downloadBytes: fx.downloadSize
      },
      rows,
      extra,
      notes
    };
  } finally {
    if (server) await stopServer(server);
    await bare.close();
    rmSync(uploadDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function downloadCounts(dbFile: string, resourceId: number): { count: number; audited: number } {
  const db = new Database(dbFile, { readonly: true });
  try {
    const count = (db.prepare('SELECT download_count AS n FROM resources WHERE id = ?').get(resourceId) as { n: number }).n;
    const audited = (
      db
        .prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'resource.downloaded' AND target_id = ?`)
        .get(String(resourceId)) as { n: number }
    ).n;
    return { count, audited };
  } finally {
    db.close();
  }
}
