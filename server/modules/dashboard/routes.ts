import type { FastifyInstance } from 'fastify';
import { getDashboard } from './service.ts';

/** GET /api/admin/dashboard: the figures behind the /admin page; every staff role, each part by role. */
export async function dashboardRoutes(app: FastifyInstance) {
  app.get('/admin/dashboard', { config: { access: 'staff.view' } }, async (request) => getDashboard(request.ctx()));
}
