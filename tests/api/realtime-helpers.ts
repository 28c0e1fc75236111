import { expect } from 'vitest';
import { WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { ORIGIN, type TestApp } from '../support/app.ts';
import { discussionsApp } from '../support/discussions.ts';
import type { ServerMessage } from '../../server/realtime/protocol.ts';

/** An app listening on 127.0.0.1 (a real socket), and its /api/ws address. */
export async function listeningApp(env: Record<string, string> = {}): Promise<{ t: TestApp; url: string }> {
  const t = await discussionsApp(env);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { t, url: `ws://127.0.0.1:${port}/api/ws` };
}

export interface ConnectOptions {
  cookie?: string;
  /** The Origin header (default: the site's own); null sends none. */
  origin?: string | null;
  after?: number | string;
  /** false: never answer the server's pings (a dead client). */
  autoPong?: boolean;
}

function socketFor(url: string, opts: ConnectOptions): WebSocket {
  const query = opts.after === undefined ? '' : `?after=${opts.after}`;
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  const origin = opts.origin === undefined ? ORIGIN : opts.origin;
  return new WebSocket(`${url}${query}`, {
    headers,
    ...(origin ? { origin } : {}),
    autoPong: opts.autoPong ?? true
  });
}

/** A real ws client that records every message. */
export class LiveClient {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private listeners: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const wake of this.listeners) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static connect(url: string, opts: ConnectOptions): Promise<LiveClient> {
    const socket = socketFor(url, opts);
    const client = new LiveClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** The first message (from index `from`) matching `match`, waiting up to `ms`. */
  async next<T extends ServerMessage['type']>(
    type: T,
    match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    ms = 3000
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const find = () =>
      this.messages.find(
        (m): m is Extract<ServerMessage, { type: T }> => m.type === type && match(m as Extract<ServerMessage, { type: T }>)
      );
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} message within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.listeners = [];
    }
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  notifications() {
    return this.of('notification');
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async subscribe(thread: number): Promise<void> {
    this.send({ type: 'subscribe', thread });
    await this.next('subscribed', (m) => m.thread === thread);
  }

  close(): void {
    this.socket.terminate();
  }
}

/** The HTTP status a refused handshake gets (101 would mean it was not refused). */
export function handshakeStatus(url: string, opts: ConnectOptions): Promise<number> {
  const socket = socketFor(url, opts);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    socket.once('error', (err) => {
      if (!/socket hang up|ECONNRESET/.test(err.message)) reject(err);
    });
  });
}

/** Wait until `check` holds (polling), or fail with `what`. */
export async function eventually(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) expect.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Wait for the bus, then for the pushes to cross the loopback. */
export async function settle(t: TestApp): Promise<void> {
  await t.deps.bus.idle();
  await new Promise((resolve) => setTimeout(resolve, 30));
}
