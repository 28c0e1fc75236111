import fp from 'fastify-plugin';
import type { IncomingMessage } from 'node:http';
import type { Deps } from '../context.ts';
import type { EventBus } from '../events/bus.ts';
import { generateToken } from '../shared/tokens.ts';
import { metricsOf } from './metrics.ts';

/** An incoming X-Request-Id is kept only when it is a short plain token (it goes into every log line). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Fastify's genReqId: the proxy's id when it sent a safe one (so its logs and ours line up), else a fresh one. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  if (typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming)) return incoming;
  return generateToken().slice(0, 12);
}

/**
 * Counts every answered request (API and pages) by route pattern, never by raw URL, so a scan of
 * random paths cannot grow the label set; and returns the request id to the client.
 */
export const metricsPlugin = fp(
  async (app, opts: { deps: Deps }) => {
    const metrics = metricsOf(opts.deps);
    app.addHook('onRequest', async (request, reply) => {
      // On the raw response: pages are answered by SvelteKit after reply.hijack(), past Fastify's onSend.
      reply.raw.setHeader('x-request-id', request.id);
    });
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? '(unmatched)';
      metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  },
  { name: 'ops-metrics' }
);

/**
 * Event-bus lag, measured from outside the bus: publish stamps the event, and every handler
 * registered afterwards reports the time from that stamp to its own finish. Call before any
 * subscriber registers.
 */
export function instrumentBus(bus: EventBus, deps: Deps): void {
  const metrics = metricsOf(deps);
  const publishedAt = new WeakMap<object, number>();
  const publish = bus.publish.bind(bus);
  const on = bus.on.bind(bus);
  bus.publish = (event) => {
    publishedAt.set(event, performance.now());
    return publish(event);
  };
  bus.on = (type, handler) =>
    on(type, async (event) => {
      const start = publishedAt.get(event) ?? performance.now();
      let failed = false;
      try {
        await handler(event);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        metrics.observeEvent(type, (performance.now() - start) / 1000, failed);
      }
    });
}
