import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeApp } from '../app.ts';
import { problemsWith } from './check.ts';
import { describe as describeRequest, requestArb, type FuzzRequest } from './request.ts';
import { makeWorld, type World } from './world.ts';

/**
 * Every API route, listed from the app itself, gets FUZZ_RUNS hostile requests (bodies, query strings,
 * path params, headers, cookies) as admin, as a plain member and signed out. None may answer 5xx, leak a
 * stack or SQL, reply in anything but the JSON error shape, or leave a promise rejected.
 * Each route starts from the same seeded world with its own fixed seed, so re-running one route
 * (`npx vitest run tests/api/fuzz -t '<METHOD> <url> '`) replays the same requests in the same order.
 * FUZZ_RUNS (default 1000) sets the requests per route; FUZZ_SEED picks another sequence.
 */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
export const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);

const probe = await makeApp();
export const routes = probe.app.routeList.filter((r) => r.url.startsWith('/api/'));
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

export function rejectionReport(): string {
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

/**
 * The per-route fuzz, in `of` parts (one per test file, so vitest's workers share the work); part i
 * takes every of-th route from the i-th.
 */
export function fuzzRoutes(part: number, of: number): void {
  const mine = routes.filter((_r, i) => i % of === part);
  describe(`fuzzing every API route (part ${part + 1} of ${of})`, () => {
    it.each(mine.map((r) => [`${r.method} ${r.url} (${r.access})`, r] as const))(
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
  });
}
