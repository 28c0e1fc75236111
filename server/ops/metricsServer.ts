import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.ts';
import { renderMetrics } from './scrape.ts';

/**
 * METRICS_PORT: a second listener that serves only GET /metrics, bound to METRICS_HOST (127.0.0.1 by
 * default) so the scrape never crosses the public port. No token: who can reach the port may read it.
 */
export async function startMetricsServer(app: FastifyInstance): Promise<Server | null> {
  const { metricsPort, metricsHost } = app.deps.config;
  if (metricsPort === null) return null;
  const server = createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    renderMetrics(app).then(
      (text) =>
        res
          .writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' })
          .end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        app.log.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics are unavailable; see the server log.\n');
      }
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(metricsPort, metricsHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  app.log.info({ host: metricsHost, port: metricsPort }, 'metrics listener started');
  return server;
}
