import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeApp, ORIGIN } from '../support/app.ts';
import { problemsWith } from '../support/fuzz/check.ts';
import {
  BODY_LIMIT,
  describe as describeRequest,
  requestArb,
  unknownApiPath,
  type FuzzRequest
} from '../support/fuzz/request.ts';
import { makeWorld, type World } from '../support/fuzz/world.ts';
import { trickle } from '../support/slowClient.ts';

/**
 * Every API route, listed from the app itself, gets FUZZ_RUNS hostile requests (bodies, query strings,
 * path params, headers, cookies) as admin, as a plain member and signed out. None may answer 5xx, leak a
 * stack or SQL, reply in anything but the JSON error shape, or leave a promise rejected.
 * Each route starts from the same seeded world with its own fixed seed, so re-running one route
 * (`npx vitest run tests/api/fuzz.test.ts -t '<METHOD> <url> '`) replays the same requests in the same order.
 * FUZZ_RUNS (default 1000) sets the requests per route; FUZZ_SEED picks another sequence.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);

const probe = await makeApp();
const routes = probe.app.routeList.filter((r) => r.url.startsWith('/api/'));
await probe.close();

/** A seed per route, stable when routes are added elsewhere. */
function seedFor(key: string): number {
  let h = SEED;
  for (const c of key) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onRejection);
});
afterAll(() => {
  process.off('unhandledRejection', onRejection);
});

function rejectionReport(): string {
  return rejections
    .splice(0)
    .map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)))
    .join('\n');
}

/** A readable failure: the request, what was wrong, the reply, and what the server logged. */
async function checkOne(world: World, route: (typeof routes)[number], req: FuzzRequest): Promise<void> {
  const { res, actor } = await world.send(req);
  // Let rejected promises from work the handler started (events, mail) surface before judging.
  await world.deps.bus.idle();
  await new Promise((resolve) => setImmediate(resolve));
  const problems = problemsWith(route, req, res, actor);
  const logged = world.takeErrors();
  if (logged.length)
    problems.push(`server logged ${logged.length} error(s):\n${logged.map((e) => `${e.msg}\n${e.stack}`).join('\n')}`);
  if (rejections.length) problems.push(`unhandled rejection:\n${rejectionReport()}`);
  if (problems.length) {
    const reply = res.body.length > 600 ? `${res.body.slice(0, 600)}… (${res.body.length} chars)` : res.body;
    throw new Error(`${problems.join('\n')}\n--- request\n${describeRequest(req)}\n--- reply ${res.statusCode}\n${reply}`);
  }
}

describe('fuzzing every API route', () => {
  it('lists the API routes from the app, each with its declared access', () => {
    expect(routes.length).toBeGreaterThan(40);
    for (const r of routes) expect(r.access, `${r.method} ${r.url}`).toMatch(/^(public|[a-zA-Z]+\.[a-zA-Z]+|session)$/);
    // The fuzz builds inputs from each route's own schema: a body route without one would be fuzzed blind.
    const blind = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && !r.schema?.body && !r.schema?.params);
    expect(blind.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it.each(routes.map((r) => [`${r.method} ${r.url} (${r.access})`, r] as const))(
    '%s survives hostile input',
    async (_name, route) => {
      const world = await makeWorld();
      try {
        await fc.assert(
          fc.asyncProperty(requestArb(route, world.hints), (req) => checkOne(world, route, req)),
          { numRuns: RUNS, seed: seedFor(`${route.method} ${route.url}`), endOnFailure: true }
        );
      } finally {
        await world.close();
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejectionReport()).toBe('');
    },
    180_000
  );

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
