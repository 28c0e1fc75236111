import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance) {
  app.get('/health', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
}
