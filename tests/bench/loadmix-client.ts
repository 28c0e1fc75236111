// The mixed-load benchmark's client process (driven by tests/bench/loadmix.ts over IPC): holds the open
// WebSockets and runs the HTTP mix, so the server's RSS and CPU are the server's own.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface MixRoute {
  name: string;
  weight: number;
}

export interface MixSetup {
  origin: string;
  cookieName: string;
  readers: string[];
  writers: { id: number; token: string }[];
  searchers: string[];
  socketTokens: string[];
  listCategories: number[];
  pageThreads: number[];
  /** The server-rendered thread page, e.g. /discussions/t/:id; null when the web build has none. */
  ssrPattern: string | null;
  replyThreads: number[];
  reactPosts: { id: number; authorId: number }[];
  queries: string[];
  bodies: string[];
}

export type Command =
  | { cmd: 'setup'; setup: MixSetup }
  | { cmd: 'open'; total: number }
  | { cmd: 'run'; connections: number; warmupS: number; durationS: number }
  | { cmd: 'closeAll' };

export interface RouteStats {
  route: string;
  count: number;
  /** Not 2xx, or no answer. */
  errors: number;
  /** Answers naming SQLITE_BUSY or "database is locked". */
  busy: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The first few failures, for the report. */
  samples: string[];
}

export interface SocketStats {
  opened: number;
  /** Closed by the server while the load ran (should be 0). */
  dropped: number;
  /** Notification messages received (members' sockets hear about replies in threads they watch). */
  notifications: number;
  openMs: number;
}

/** All routes together, per 10-second window of the measured run: a stall shows up in its window. */
export interface Window {
  fromS: number;
  count: number;
  p99Ms: number;
  maxMs: number;
}

export type Answer =
  | { ok: true; routes?: RouteStats[]; windows?: Window[]; elapsedS?: number; sockets?: SocketStats }
  | { ok: false; error: string };

export const ROUTES = {
  list: 'GET /api/discussions/categories/:id/threads',
  page: 'GET /api/discussions/threads/:id',
  ssr: 'GET /discussions/t/:id (server-rendered)',
  reply: 'POST /api/discussions/threads/:id/posts',
  react: 'POST /api/discussions/posts/:id/reactions',
  search: 'GET /api/search'
} as const;

/** Readers 80% (list 30, API page 30, HTML page 20), writers 15% (replies 10, reactions 5), searches 5%. */
const WEIGHTS: [keyof typeof ROUTES, number][] = [
  ['list', 30],
  ['page', 30],
  ['ssr', 20],
  ['reply', 10],
  ['react', 5],
  ['search', 5]
];

const REACTIONS = ['thumbs_up', 'thanks', 'helpful', 'insightful', 'support'];

let setup: MixSetup;
let agent: http.Agent;
const sockets: WebSocket[] = [];
const socketStats: SocketStats = { opened: 0, dropped: 0, notifications: 0, openMs: 0 };
let closingSockets = false;

function openSocket(token: string, index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${setup.origin.replace('http', 'ws')}/api/ws`, {
      headers: { cookie: `${setup.cookieName}=${token}`, origin: setup.origin },
      perMessageDeflate: false
    });
    const timer = setTimeout(() => reject(new Error(`socket ${index}: no hello within 30 s`)), 30_000);
    ws.on('message', (data) => {
      const type = (JSON.parse(String(data)) as { type: string }).type;
      if (type === 'hello' || type === 'reset') {
        clearTimeout(timer);
        resolve(ws);
      } else if (type === 'notification') socketStats.notifications++;
    });
    ws.on('close', () => {
      if (!closingSockets) socketStats.dropped++;
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`socket ${index}: handshake answered ${res.statusCode}`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function open(total: number): Promise<SocketStats> {
  const started = performance.now();
  const BATCH = 100;
  while (sockets.length < total) {
    const start = sockets.length;
    const count = Math.min(BATCH, total - start);
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, k) =>
          openSocket(setup.socketTokens[(start + k) % setup.socketTokens.length]!, start + k)
        )
      ))
    );
  }
  socketStats.opened = sockets.length;
  socketStats.openMs = Math.round(performance.now() - started);
  return socketStats;
}

async function closeAll(): Promise<void> {
  closingSockets = true;
  const closing = sockets.map((ws) => new Promise((resolve) => (ws.once('close', resolve), ws.close())));
  await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  for (const ws of sockets) ws.terminate();
  sockets.length = 0;
}

interface Req {
  route: string;
  method: 'GET' | 'POST';
  path: string;
  cookie: string;
  body?: string;
}

/** Round-robin counters: members and targets are used evenly (per-member limits stay far away). */
const turn: Record<string, number> = {};
function next<T>(key: string, list: T[]): T {
  const n = (turn[key] = (turn[key] ?? -1) + 1);
  return list[n % list.length]!;
}

function pick(): Req {
  let x = Math.random() * WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let kind: keyof typeof ROUTES = 'list';
  for (const [k, w] of WEIGHTS) {
    x -= w;
    if (x < 0) {
      kind = k;
      break;
    }
  }
  if (kind === 'ssr' && !setup.ssrPattern) kind = 'page';
  const cookie = (token: string) => `${setup.cookieName}=${token}`;
  switch (kind) {
    case 'list':
      return {
        route: ROUTES.list,
        method: 'GET',
        path: `/api/discussions/categories/${next('cat', setup.listCategories)}/threads`,
        cookie: cookie(next('reader', setup.readers))
      };
    case 'page':
      return {
        route: ROUTES.page,
        method: 'GET',
        path: `/api/discussions/threads/${next('page', setup.pageThreads)}`,
        cookie: cookie(next('reader', setup.readers))
      };
    case 'ssr':
      return {
        route: ROUTES.ssr,
        method: 'GET',
        path: setup.ssrPattern!.replace(':id', String(next('ssrPage', setup.pageThreads))),
        cookie: cookie(next('reader', setup.readers))
      };
    case 'reply':
      return {
        route: ROUTES.reply,
        method: 'POST',
        path: `/api/discussions/threads/${next('replyThread', setup.replyThreads)}/posts`,
        cookie: cookie(next('writer', setup.writers).token),
        body: JSON.stringify({ body: next('body', setup.bodies) })
      };
    case 'react': {
      const post = next('reactPost', setup.reactPosts);
      let writer = next('reactor', setup.writers);
      if (writer.id === post.authorId) writer = next('reactor', setup.writers);
      return {
        route: ROUTES.react,
        method: 'POST',
        path: `/api/discussions/posts/${post.id}/reactions`,
        cookie: cookie(writer.token),
        body: JSON.stringify({ kind: next('reaction', REACTIONS), reacted: true })
      };
    }
    case 'search':
      return {
        route: ROUTES.search,
        method: 'GET',
        path: `/api/search?q=${encodeURIComponent(next('query', setup.queries))}`,
        cookie: cookie(next('searcher', setup.searchers))
      };
  }
}

function send(req: Req): Promise<{ status: number; text: string | null }> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.path, setup.origin);
    const r = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: url.pathname + url.search,
        headers: {
          cookie: req.cookie,
          ...(req.body ? { origin: setup.origin, 'content-type': 'application/json' } : {})
        },
        timeout: 60_000
      },
      (res) => {
        const ok = res.statusCode! >= 200 && res.statusCode! < 300;
        if (ok) {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, text: null }));
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      }
    );
    r.on('timeout', () => r.destroy(new Error('no answer within 60 s')));
    r.on('error', reject);
    r.end(req.body);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(
  connections: number,
  warmupS: number,
  durationS: number
): Promise<{ routes: RouteStats[]; windows: Window[]; elapsedS: number }> {
  agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = new Map<string, number[]>();
  const windows: number[][] = [];
  const stats = new Map<string, RouteStats>();
  const statsOf = (route: string) => {
    let s = stats.get(route);
    if (!s) {
      s = { route, count: 0, errors: 0, busy: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, samples: [] };
      stats.set(route, s);
      latencies.set(route, []);
    }
    return s;
  };
  const began = performance.now();
  const measureFrom = began + warmupS * 1000;
  const end = measureFrom + durationS * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const req = pick();
      const sent = performance.now();
      let failure: string | null = null;
      try {
        const res = await send(req);
        if (res.status < 200 || res.status >= 300) failure = `${res.status} ${req.path}: ${(res.text ?? '').slice(0, 200)}`;
      } catch (err) {
        failure = `${req.path}: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (sent < measureFrom) continue;
      const s = statsOf(req.route);
      s.count++;
      const ms = performance.now() - sent;
      latencies.get(req.route)!.push(ms);
      (windows[Math.floor((sent - measureFrom) / 10_000)] ??= []).push(ms);
      if (failure) {
        s.errors++;
        if (/SQLITE_BUSY|database is locked/i.test(failure)) s.busy++;
        if (s.samples.length < 5) s.samples.push(failure);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsedS = (performance.now() - measureFrom) / 1000;
  agent.destroy();
  for (const [route, list] of latencies) {
    const sorted = Float64Array.from(list).sort();
    const s = stats.get(route)!;
    s.p50Ms = percentile(sorted, 50);
    s.p99Ms = percentile(sorted, 99);
    s.maxMs = sorted[sorted.length - 1] ?? Number.NaN;
  }
  const summary = (list: number[] | undefined, i: number): Window => {
    const sorted = Float64Array.from(list ?? []).sort();
    return { fromS: i * 10, count: sorted.length, p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? Number.NaN };
  };
  return { routes: [...stats.values()], windows: Array.from(windows, summary), elapsedS };
}

async function handle(command: Command): Promise<Answer> {
  switch (command.cmd) {
    case 'setup':
      setup = command.setup;
      return { ok: true };
    case 'open':
      return { ok: true, sockets: await open(command.total) };
    case 'run': {
      const result = await run(command.connections, command.warmupS, command.durationS);
      return { ok: true, ...result, sockets: { ...socketStats } };
    }
    case 'closeAll':
      await closeAll();
      return { ok: true };
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (answer) => process.send!(answer),
    (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) })
  );
});
process.on('disconnect', () => process.exit(0));
