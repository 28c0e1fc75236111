import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The real server (server/main.ts) as a child process on 127.0.0.1: what the crash harness and the limits test kill and restart. */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CRASH_SECRET_KEY = 'c'.repeat(64);
/** PUBLIC_ORIGIN of every child: the Origin the clients send on writes (the port is whatever was free). */
export const CHILD_ORIGIN = 'http://127.0.0.1:3000';

export interface ServerChild {
  /** Where to send requests (the real port). */
  url: string;
  pid: number;
  /** Milliseconds from spawn to "listening". */
  startMs: number;
  /** The process's exit, once it happened. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote (last 20 KB of each): shown when a run fails. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The environment of a child: quick Argon2, no web build, no posting limits, long sessions. */
export function childEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_ORIGIN: CHILD_ORIGIN,
    SECRET_KEY: CRASH_SECRET_KEY,
    SERVE_WEB: 'false',
    LOG_LEVEL: 'error',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_ITERATIONS: '1',
    POST_INTERVAL_SECONDS: '0',
    THREADS_PER_DAY: '10000',
    SESSION_IDLE_MINUTES: '1440',
    SESSION_ABSOLUTE_HOURS: '720',
    ...extra
  };
}

const LISTENING = 'Task Force Connect is listening';

function spawnOnce(dataDir: string, port: number, extraEnv: Record<string, string>, timeoutMs: number): Promise<ServerChild> {
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: childEnv(dataDir, port, extraEnv),
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
  };
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  );
  const handle: ServerChild = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    startMs: 0,
    exited,
    output: () => out,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (handle.startMs === 0 && out.includes(LISTENING)) {
        clearTimeout(timer);
        handle.startMs = Date.now() - started;
        resolve(handle);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (handle.startMs === 0) reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening:\n${out}`));
    });
  });
}

/** Starts the server on `dataDir`; retries on another port if the free one was taken meanwhile. */
export async function startServer(
  dataDir: string,
  opts: { env?: Record<string, string>; timeoutMs?: number } = {}
): Promise<ServerChild> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnOnce(dataDir, await freePort(), opts.env ?? {}, opts.timeoutMs ?? 60_000);
    } catch (err) {
      lastError = err;
      if (!/EADDRINUSE/.test(String(err))) throw err;
    }
  }
  throw lastError;
}
