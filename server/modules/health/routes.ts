import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { readiness } from '../../ops/readiness.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../../ops/metrics.ts';
import { renderMetrics } from '../../ops/scrape.ts';
import { NotFound, Unauthorized } from '../../shared/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time: compares fixed-length digests, so neither the token's content nor its length leaks through timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

export async function healthRoutes(app: FastifyInstance) {
  /** Liveness: the process answers. Restart it if this fails. */
  app.get('/health', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  /** Readiness: send traffic here only when the database is writable, migrations are current and disk is free. */
  app.get('/ready', { config: { access: 'public' } }, async (request, reply) => {
    const result = readiness(app.deps.db.$client, app.deps.config);
    if (result.ready) return { status: 'ready', checks: result.checks };
    request.log.warn({ checks: result.checks }, 'not ready');
    return reply.status(503).send({
      error: { code: 'not_ready', message: 'This server is not ready to take requests.' },
      checks: result.checks
    });
  });

  /** Prometheus scrape for a monitoring system that can only reach the public port: needs METRICS_TOKEN. */
  app.get('/metrics', { config: { access: 'public' } }, async (request, reply) => {
    const token = app.deps.config.metricsToken;
    // Without a token configured the route does not exist (the separate METRICS_PORT listener may).
    if (!token) throw new NotFound(`No API route GET /api/metrics.`);
    if (!bearerMatches(request.headers.authorization, token)) {
      reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new Unauthorized('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.');
    }
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(await renderMetrics(app));
  });
}
