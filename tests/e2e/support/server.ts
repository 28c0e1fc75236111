import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_HANDLER } from '../../../server/web.ts';

/** The repository root, wherever the clone lives (CI runs elsewhere than a developer's checkout). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningServer {
  origin: string;
  dataDir: string;
  secretKey: string;
  /** The first-administrator link printed at start (null if an administrator already existed). */
  setupLink: string | null;
  /** Everything the server printed so far (the outbox mailer prints each mail too). */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** The server mounts web/build/handler.js (or WEB_BUILD_DIR's); a fresh clone has none until it is built. */
function ensureWebBuild(): void {
  if (existsSync(WEB_HANDLER)) return;
  const built = spawnSync('npx', ['vite', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`vite build failed (exit ${built.status})`);
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts the real server (the production entry point) on its own port with its own data directory. */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  ensureWebBuild();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tfc-e2e-'));
  const secretKey = randomBytes(32).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_ORIGIN: origin,
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_ITERATIONS: '1',
      LOG_LEVEL: 'warn',
      SECRET_KEY: secretKey,
      NODE_ENV: 'production',
      // A second build (WEB_BUILD_DIR) is served by the server the tests start, not only checked for.
      ...(process.env.WEB_BUILD_DIR ? { WEB_BUILD_DIR: process.env.WEB_BUILD_DIR } : {}),
      ...extraEnv
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });

  // Keep draining both pipes for the server's whole life: a full pipe would stall it.
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const cleanUp = () => rmSync(dataDir, { recursive: true, force: true });

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not start within 30 s.\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
        30_000
      );
      const onData = () => {
        if (stdout.includes('is listening on')) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(new Error(`server exited early (code ${code}, signal ${signal}).\nstderr:\n${stderr}\nstdout:\n${stdout}`));
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      onData();
    });
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanUp();
    throw err;
  }

  const setupLink = stdout.match(/https?:\/\/\S+\/setup\?token=\S+/)?.[0] ?? null;
  let stopped = false;
  return {
    origin,
    dataDir,
    secretKey,
    setupLink,
    output: () => stdout + stderr,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, 15_000))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
      }
      cleanUp();
    }
  };
}
