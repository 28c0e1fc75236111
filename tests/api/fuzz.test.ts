import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeApp, ORIGIN } from '../support/app.ts';
import { BODY_LIMIT, unknownApiPath } from '../support/fuzz/request.ts';
import { fuzzRoutes, routes, RUNS, SEED } from '../support/fuzz/suite.ts';
import { makeWorld } from '../support/fuzz/world.ts';
import { trickle } from '../support/slowClient.ts';

// The first half of the per-route fuzz; tests/api/fuzz-routes.test.ts runs the second beside it.
fuzzRoutes(0, 2);

describe('fuzzing every API route: the route list and what every route shares', () => {
  it('lists the API routes from the app, each with its declared access', () => {
    expect(routes.length).toBeGreaterThan(40);
    for (const r of routes) expect(r.access, `${r.method} ${r.url}`).toMatch(/^(public|[a-zA-Z]+\.[a-zA-Z]+|session)$/);
    // The fuzz builds inputs from each route's own schema: a body route without one would be fuzzed blind.
    const blind = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && !r.schema?.body && !r.schema?.params);
    expect(blind.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('answers unknown API paths with a JSON 404 (or 400 for a malformed address), in the error shape', async () => {
    const world = await makeWorld();
    try {
      await fc.assert(
        fc.asyncProperty(unknownApiPath, fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'), async (path, method) => {
          const { res } = await world.send({
            who: 'admin',
            cookieMode: 'own',
            junkCookies: '',
            method,
            url: path,
            params: [],
            headers: { origin: ORIGIN, 'content-type': 'application/json' },
            body: { kind: 'valid', text: method === 'GET' ? undefined : '{}' }
          });
          const what = `${method} ${path}: ${res.body}`;
          expect([404, 400], what).toContain(res.statusCode);
          expect(res.headers['content-type'], what).toMatch(/^application\/json/);
          const error = res.json().error;
          expect(typeof error?.code === 'string' && typeof error?.message === 'string' && error.message.length > 0, what).toBe(
            true
          );
          if (res.statusCode === 404) expect(error.code).toBe('not_found');
        }),
        { numRuns: Math.min(RUNS, 300), seed: SEED, endOnFailure: true }
      );
    } finally {
      await world.close();
    }
  });

  it('refuses an oversized body on every route that takes one with 413 and a JSON error, before anything else', async () => {
    const world = await makeWorld();
    try {
      const bodyRoutes = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method));
      expect(bodyRoutes.length).toBeGreaterThan(20);
      for (const route of bodyRoutes) {
        for (const who of ['admin', 'signed-out'] as const) {
          const { res } = await world.send({
            who,
            cookieMode: 'own',
            junkCookies: '',
            method: route.method,
            url: route.url.replace(/:(\w+)/g, '1'),
            params: [],
            headers: { origin: ORIGIN, 'content-type': 'application/json' },
            body: { kind: 'huge', text: JSON.stringify({ body: 'x'.repeat(BODY_LIMIT + 50_000) }) }
          });
          const what = `${route.method} ${route.url} as ${who}: ${res.body.slice(0, 200)}`;
          expect(res.statusCode, what).toBe(413);
          expect(res.headers['content-type'], what).toMatch(/^application\/json/);
          expect(res.json().error, what).toEqual({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'The request is too large.' });
        }
      }
    } finally {
      await world.close();
    }
  });
});

describe('slow clients', () => {
  it('builds the server with the production timeouts: 30 s per idle connection, 60 s per request', async () => {
    const t = await makeApp();
    try {
      expect(t.app.initialConfig.connectionTimeout).toBe(30_000);
      expect((t.app.initialConfig as { requestTimeout?: number }).requestTimeout).toBe(60_000);
      expect(t.app.server.timeout).toBe(30_000);
      expect(t.app.server.requestTimeout).toBe(60_000);
      // Node checks the request deadline only while headers are within their own (lower or equal) deadline.
      expect(t.app.server.headersTimeout).toBeLessThanOrEqual(60_000);
    } finally {
      await t.close();
    }
  });

  /**
   * The same app on a real socket with the deadlines shortened (the production values would make this
   * test take a minute); Node reads connectionsCheckingInterval when the server starts listening.
   */
  async function listening(limits: { requestMs: number; idleMs: number }) {
    const t = await makeApp();
    const server = t.app.server as typeof t.app.server & { connectionsCheckingInterval: number };
    server.requestTimeout = limits.requestMs;
    server.headersTimeout = limits.requestMs;
    server.connectionsCheckingInterval = 200;
    server.setTimeout(limits.idleMs);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.address() as AddressInfo;
    return { t, port };
  }

  const headersFor = (length: number) =>
    `POST /api/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${ORIGIN}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  it('cuts off a body sent one byte a second (Content-Length: 100) at the request deadline with 408', async () => {
    const { t, port } = await listening({ requestMs: 1500, idleMs: 10_000 });
    try {
      const result = await trickle(port, headersFor(100), '{"email":"'.padEnd(100, 'a'), 1000, 8000);
      expect(result.reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(result.afterMs).toBeLessThan(4000);
      expect(result.dripped).toBeLessThan(100);
    } finally {
      await t.close();
    }
  });

  it('cuts off headers sent one byte a second at the deadline with 408', async () => {
    const { t, port } = await listening({ requestMs: 1500, idleMs: 10_000 });
    try {
      const result = await trickle(
        port,
        'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        'X-Slow: '.padEnd(60, 'z'),
        1000,
        8000
      );
      expect(result.reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(result.afterMs).toBeLessThan(4000);
    } finally {
      await t.close();
    }
  });

  it('drops a connection that goes quiet halfway through a request at the idle deadline', async () => {
    const { t, port } = await listening({ requestMs: 20_000, idleMs: 1000 });
    try {
      const result = await trickle(port, headersFor(100), '', 1000, 8000);
      expect(result.afterMs).toBeGreaterThanOrEqual(900);
      expect(result.afterMs).toBeLessThan(4000);
    } finally {
      await t.close();
    }
  });

  it('still serves a well-behaved client on the same server', async () => {
    const { t, port } = await listening({ requestMs: 1500, idleMs: 10_000 });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    } finally {
      await t.close();
    }
  });
});
