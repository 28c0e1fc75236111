// What every benchmark does with its child processes (the server, the load process): a free port,
// waiting for the server's health route, stopping, and one IPC command → one answer.
import type { ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once GET /api/health answers 2xx; throws with the server's output if it exits or never answers. */
export async function waitForHealth(
  origin: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 120_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${origin}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`The server did not answer /api/health within ${timeoutMs / 1000} s:\n${output()}`);
}

/** SIGTERM (the server closes gracefully), then SIGKILL after the grace period. */
export async function stopChild(child: ChildProcess | null, graceMs = 15_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** One command to a load process over IPC, one answer back ({ ok: false, error } rejects). */
export function ask<C extends object, A extends { ok: boolean; error?: string }>(
  client: ChildProcess,
  command: C
): Promise<A & { ok: true }> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`The load process exited (${code})`));
    client.once('exit', onExit);
    client.once('message', (answer: A) => {
      client.off('exit', onExit);
      if (answer.ok) resolve(answer as A & { ok: true });
      else reject(new Error(`The load process failed: ${answer.error}`));
    });
    client.send(command);
  });
}
