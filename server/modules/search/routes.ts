import type { FastifyInstance } from 'fastify';
import { searchQuery } from '../discussions/schemas.ts';
import { search, type SearchQuery } from './service.ts';

export async function searchRoutes(app: FastifyInstance) {
  app.get('/search', { config: { access: 'search.use' }, schema: { querystring: searchQuery } }, async (request) =>
    search(request.ctx(), request.query as SearchQuery)
  );
}
