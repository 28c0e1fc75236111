// The realtime benchmark's load process: opens the sockets and makes the replies, so that the
// server's RSS and event loop carry only the server's work. Driven by tests/bench/realtime.ts over IPC.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface ClientSetup {
  origin: string;
  cookieName: string;
  /** Session tokens of the members whose sockets are opened, round-robin. */
  watcherTokens: string[];
}

export type Command =
  | { cmd: 'setup'; setup: ClientSetup }
  | { cmd: 'open'; total: number }
  | { cmd: 'fanout'; threadId: number; posterToken: string; publishes: number }
  | { cmd: 'closeAll' }
  | {
      cmd: 'replies';
      /** One poster per watched thread; each watcher socket listens for its own thread's replies. */
      pairs: { threadId: number; posterToken: string; watcherToken: string }[];
      perSecond: number;
      seconds: number;
    };

export type Answer = { ok: true; opened?: number; fanout?: FanoutResult; replies?: RepliesResult } | { ok: false; error: string };

export interface FanoutResult {
  sockets: number;
  /** Per socket and publish: POST start → the notification on that socket, ms. */
  arrivalsMs: number[];
  /** Per publish: POST start → the last socket's notification, ms. */
  allMs: number[];
  /**
   * Per publish: the notification's creation on the server (its createdAt, the same machine's clock)
   * → the last socket that received it: the "publish-to-all" latency, ms.
   */
  publishToAllMs: number[];
  /** Per publish: POST start → its response (the server has handed the frames to the kernel by then, or nearly). */
  postMs: number[];
  /** This process's CPU time over all the publishes (user + system), ms. */
  clientCpuMs: number;
  missing: number;
  postFailures: number;
}

export interface RepliesResult {
  sent: number;
  /** POST start → the watcher's socket, ms. */
  latencyMs: number[];
  /** POST start → the POST's own response, ms. */
  postMs: number[];
  missing: number;
  postFailures: number;
  elapsedS: number;
}

let setup: ClientSetup;
const sockets: WebSocket[] = [];
/** Called with the socket index on every notification message. */
let onNotification: ((index: number, threadId: number, createdAt: number) => void) | null = null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openSocket(token: string, index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${setup.origin.replace('http', 'ws')}/api/ws`, {
      headers: { cookie: `${setup.cookieName}=${token}`, origin: setup.origin },
      perMessageDeflate: false
    });
    const timer = setTimeout(() => reject(new Error(`socket ${index}: no hello within 30 s`)), 30_000);
    ws.on('message', (data) => {
      const arrivedAt = Date.now();
      const msg = JSON.parse(String(data)) as {
        type: string;
        notification?: { thread?: { id: number } | null; createdAt?: number };
      };
      if (msg.type === 'hello' || msg.type === 'reset') {
        clearTimeout(timer);
        resolve(ws);
      } else if (msg.type === 'notification') {
        onNotification?.(index, msg.notification?.thread?.id ?? 0, arrivedAt - (msg.notification?.createdAt ?? arrivedAt));
      }
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

async function open(total: number): Promise<number> {
  const BATCH = 200;
  while (sockets.length < total) {
    const start = sockets.length;
    const count = Math.min(BATCH, total - start);
    const batch = await Promise.all(
      Array.from({ length: count }, (_, k) =>
        openSocket(setup.watcherTokens[(start + k) % setup.watcherTokens.length]!, start + k)
      )
    );
    sockets.push(...batch);
  }
  return sockets.length;
}

async function postReply(threadId: number, token: string, body: string): Promise<boolean> {
  const res = await fetch(`${setup.origin}/api/discussions/threads/${threadId}/posts`, {
    method: 'POST',
    headers: {
      cookie: `${setup.cookieName}=${token}`,
      origin: setup.origin,
      'content-type': 'application/json'
    },
    body: JSON.stringify({ body })
  });
  await res.arrayBuffer();
  return res.status === 201;
}

async function fanout(threadId: number, posterToken: string, publishes: number): Promise<FanoutResult> {
  const arrivalsMs: number[] = [];
  const allMs: number[] = [];
  const publishToAllMs: number[] = [];
  const postMs: number[] = [];
  let missing = 0;
  let postFailures = 0;
  const cpuStart = process.cpuUsage();
  for (let p = 0; p < publishes; p++) {
    const seen = new Uint8Array(sockets.length);
    let remaining = sockets.length;
    let last = 0;
    let lastSincePublish = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    onNotification = (index, thread, sincePublish) => {
      if (thread !== threadId || seen[index]) return;
      seen[index] = 1;
      lastSincePublish = Math.max(lastSincePublish, sincePublish);
      last = performance.now() - started;
      arrivalsMs.push(last);
      if (--remaining === 0) done();
    };
    const posted = await postReply(threadId, posterToken, `Fan-out check number ${p + 1} for the realtime benchmark.`);
    postMs.push(performance.now() - started);
    if (!posted) postFailures++;
    await Promise.race([finished, sleep(10_000)]);
    onNotification = null;
    missing += remaining;
    if (remaining === 0) {
      allMs.push(last);
      publishToAllMs.push(lastSincePublish);
    }
    await sleep(200);
  }
  const cpu = process.cpuUsage(cpuStart);
  const clientCpuMs = (cpu.user + cpu.system) / 1000;
  return { sockets: sockets.length, arrivalsMs, allMs, publishToAllMs, postMs, clientCpuMs, missing, postFailures };
}

async function closeAll(): Promise<void> {
  const closing = sockets.map((ws) => new Promise((resolve) => (ws.once('close', resolve), ws.close())));
  await Promise.race([Promise.all(closing), sleep(10_000)]);
  for (const ws of sockets) ws.terminate();
  sockets.length = 0;
}

async function replies(
  pairs: { threadId: number; posterToken: string; watcherToken: string }[],
  perSecond: number,
  seconds: number
): Promise<RepliesResult> {
  await closeAll();
  const watchers = await Promise.all(pairs.map((pair, i) => openSocket(pair.watcherToken, i)));
  sockets.push(...watchers);
  // Each reply's post start, waiting for its notification on the watcher of its thread (in order per thread).
  const pending = pairs.map(() => [] as number[]);
  const latencyMs: number[] = [];
  const postMs: number[] = [];
  let postFailures = 0;
  onNotification = (index) => {
    const started = pending[index]!.shift();
    if (started !== undefined) latencyMs.push(performance.now() - started);
  };
  const total = perSecond * seconds;
  const began = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = began + (n * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const pairIndex = n % pairs.length;
    const pair = pairs[pairIndex]!;
    const started = performance.now();
    pending[pairIndex]!.push(started);
    inflight.push(
      postReply(pair.threadId, pair.posterToken, `Steady reply number ${n + 1} for the realtime benchmark.`).then(
        (ok) => {
          postMs.push(performance.now() - started);
          if (!ok) postFailures++;
        },
        () => void postFailures++
      )
    );
  }
  await Promise.all(inflight);
  const elapsedS = (performance.now() - began) / 1000;
  const deadline = performance.now() + 5_000;
  while (pending.some((p) => p.length) && performance.now() < deadline) await sleep(50);
  onNotification = null;
  const missing = pending.reduce((sum, p) => sum + p.length, 0);
  await closeAll();
  return { sent: total, latencyMs, postMs, missing, postFailures, elapsedS };
}

async function handle(command: Command): Promise<Answer> {
  switch (command.cmd) {
    case 'setup':
      setup = command.setup;
      return { ok: true };
    case 'open':
      return { ok: true, opened: await open(command.total) };
    case 'fanout':
      return { ok: true, fanout: await fanout(command.threadId, command.posterToken, command.publishes) };
    case 'closeAll':
      await closeAll();
      return { ok: true };
    case 'replies':
      return { ok: true, replies: await replies(command.pairs, command.perSecond, command.seconds) };
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (answer) => process.send!(answer),
    (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) })
  );
});
process.on('disconnect', () => process.exit(0));
