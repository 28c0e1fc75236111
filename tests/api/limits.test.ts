import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { makeApp } from '../support/app.ts';
import { CHILD_ORIGIN, startServer, type ServerChild } from '../crash/server.ts';
import { trickle as slowClient } from '../support/slowClient.ts';

/**
 * Limits on the real server (server/main.ts as a child process), with the deadlines shortened through
 * the environment: what an operator sets is what the listening server enforces. The fuzz test checks the
 * same deadlines on an app whose server properties it sets by hand; this one goes through config.
 */

const LIMITS = { REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', IDLE_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '500' };
const BODY_LIMIT = 256 * 1024;
const STACK = /\bat [\w.<>]+ \(|node:internal|\/server\/|\.ts:\d+/;

let server: ServerChild;
let port: number;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-limits-'));

beforeAll(async () => {
  server = await startServer(dataDir, { env: LIMITS });
  port = Number(new URL(server.url).port);
}, 60_000);

afterAll(async () => {
  await server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

/** The slow client (tests/support/slowClient.ts) against this file's server. */
const trickle = (head: string, drip: string, everyMs: number, giveUpMs?: number) =>
  slowClient(port, head, drip, everyMs, giveUpMs);

const postHead = (length: number | 'chunked', url = '/api/auth/sign-in') =>
  `POST ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${CHILD_ORIGIN}\r\nContent-Type: application/json\r\n` +
  (length === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`) +
  '\r\n';

/** The JSON body of a raw HTTP/1.1 reply (chunked or not). */
function jsonOf(reply: string): { error: { code: string; message: string } } {
  const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
  const start = body.indexOf('{');
  return JSON.parse(body.slice(start, body.lastIndexOf('}') + 1)) as { error: { code: string; message: string } };
}

describe('oversized bodies on the listening server', () => {
  it('answers a JSON body over the limit (Content-Length announced) with 413 and a JSON message, without reading it all', async () => {
    for (const url of ['/api/auth/sign-in', '/api/discussions/threads/1/posts']) {
      const size = BODY_LIMIT + 100_000;
      const res = await fetch(`${server.url}${url}`, {
        method: 'POST',
        headers: { origin: CHILD_ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'x'.repeat(size) })
      });
      const text = await res.text();
      expect(res.status, `${url}: ${text}`).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(text)).toEqual({ error: { code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'The request is too large.' } });
    }
  });

  it('answers a chunked body that grows past the limit with 413 and a JSON message', async () => {
    // The server answers and closes while body bytes are still arriving; Linux then resets the
    // connection, and a reset can reach the client before the answer it has not read yet. So a
    // try that saw nothing is repeated (a server that never answered 413 fails every try).
    const once = () =>
      new Promise<string>((resolve) => {
        let got = '';
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(postHead('chunked'));
          const chunk = `${(64 * 1024).toString(16)}\r\n${'a'.repeat(64 * 1024)}\r\n`;
          // As fast as the socket takes it, past the limit; the server answers and closes meanwhile.
          let sent = 0;
          const pump = () => {
            while (sent < 8 && !socket.destroyed) {
              sent++;
              if (!socket.write(chunk)) return void socket.once('drain', pump);
            }
            if (!socket.destroyed) socket.write('0\r\n\r\n');
          };
          pump();
        });
        socket.on('data', (c) => (got += c.toString('utf8')));
        socket.on('error', () => {});
        socket.on('close', () => resolve(got));
        setTimeout(() => socket.destroy(), 5000);
      });
    let reply = '';
    for (let attempt = 0; attempt < 4 && !reply; attempt++) reply = await once();
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toMatch(/content-type: application\/json/i);
    expect(jsonOf(reply).error.message).toBe('The request is too large.');
  });

  it('answers headers over 16 KB with 431 and no stack trace, and keeps serving', async () => {
    const result = await trickle(
      `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: tfc_session=${'a'.repeat(20_000)}\r\n\r\n`,
      '',
      1000
    );
    expect(result.reply).toMatch(/^HTTP\/1\.1 431 /);
    expect(result.reply).not.toMatch(STACK);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});

describe('slow clients on the listening server (REQUEST_TIMEOUT_MS=1500, HEADERS_TIMEOUT_MS=1000, IDLE_TIMEOUT_MS=1000)', () => {
  it('cuts off a body sent a byte at a time at the request deadline with 408', async () => {
    const result = await trickle(postHead(100), '{"email":"'.padEnd(100, 'a'), 300);
    expect(result.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.afterMs).toBeGreaterThanOrEqual(1400);
    expect(result.afterMs).toBeLessThan(3500);
    expect(result.dripped).toBeLessThan(100);
  });

  it('cuts off a chunked body sent a byte at a time at the request deadline', async () => {
    const drip = Array.from({ length: 40 }, () => '1\r\na\r\n').join('');
    const result = await trickle(postHead('chunked'), drip, 50);
    expect(result.afterMs).toBeLessThan(3500);
    expect(result.reply === '' || /^HTTP\/1\.1 408 /.test(result.reply)).toBe(true);
    expect(result.dripped).toBeLessThan(drip.length);
  });

  it('cuts off headers sent a byte at a time at the header deadline with 408', async () => {
    const result = await trickle('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: '.padEnd(200, 'z'), 100);
    expect(result.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.afterMs).toBeGreaterThanOrEqual(900);
    expect(result.afterMs).toBeLessThan(3000);
  });

  it('drops a connection that goes quiet halfway through a request at the idle deadline', async () => {
    const result = await trickle(postHead(100) + '{"email":', '', 1000);
    expect(result.afterMs).toBeGreaterThanOrEqual(900);
    expect(result.afterMs).toBeLessThan(3000);
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS (500 ms)', async () => {
    const result = await trickle('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n', '', 1000);
    expect(result.reply).toMatch(/^HTTP\/1\.1 200 /);
    // Node 20 waits one more second past keepAliveTimeout (its buffer for clients about to reuse the socket).
    expect(result.afterMs).toBeGreaterThanOrEqual(400);
    expect(result.afterMs).toBeLessThan(2500);
  });

  it('serves a well-behaved client promptly while 50 slow-loris connections are open, then cuts them all off', async () => {
    const slow = Array.from({ length: 50 }, (_, i) =>
      trickle(i % 2 ? postHead(100) : 'GET /api/health HTTP/1.1\r\n', 'X'.repeat(100), 200)
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const results = await Promise.all(slow);
    for (const r of results) {
      expect(r.afterMs).toBeLessThan(3500);
      expect(r.reply).not.toMatch(STACK);
    }
  });
});

describe('the API-only switch', () => {
  it('SERVE_WEB=false serves the API and no pages', async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const page = await fetch(`${server.url}/sign-in`);
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
  });
});

describe('limits configuration', () => {
  const bad: [Record<string, string>, string][] = [
    [{ REQUEST_TIMEOUT_MS: 'soon' }, 'REQUEST_TIMEOUT_MS'],
    [{ REQUEST_TIMEOUT_MS: '50' }, 'REQUEST_TIMEOUT_MS'],
    [{ HEADERS_TIMEOUT_MS: '-1' }, 'HEADERS_TIMEOUT_MS'],
    [{ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' }, 'HEADERS_TIMEOUT_MS'],
    [{ IDLE_TIMEOUT_MS: '1.5' }, 'IDLE_TIMEOUT_MS'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '99999999' }, 'KEEP_ALIVE_TIMEOUT_MS'],
    [{ SERVE_WEB: 'maybe' }, 'SERVE_WEB']
  ];
  for (const [env, name] of bad) {
    it(`refuses ${JSON.stringify(env)} with a ConfigError naming ${name}`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(name);
    });
  }

  it('defaults: 60 s per request, 20 s for headers, 30 s idle, 72 s keep-alive, web on', () => {
    expect(loadConfig({})).toMatchObject({
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 20_000,
      idleTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      serveWeb: true
    });
    // A request deadline shorter than 20 s pulls the header deadline down with it.
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '5000' }).headersTimeoutMs).toBe(5000);
  });

  it('builds the HTTP server with the configured deadlines', async () => {
    const t = await makeApp({ env: LIMITS });
    try {
      const s = t.app.server as typeof t.app.server & { connectionsCheckingInterval?: number };
      expect(s.requestTimeout).toBe(1500);
      expect(s.headersTimeout).toBe(1000);
      expect(s.timeout).toBe(1000);
      expect(s.keepAliveTimeout).toBe(500);
    } finally {
      await t.close();
    }
  });
});
