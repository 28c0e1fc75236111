import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idParam, noBody } from '../../shared/schema.ts';
import { privacyCheckReplies } from '../discussions/routes.ts';
import type { SuggestionInput } from './input.ts';
import { getSuggestion, listSuggestions, similarSuggestions, type SuggestionListQuery } from './read.ts';
import * as s from './schemas.ts';
import {
  createSuggestion,
  deleteSuggestion,
  setStatus,
  updateSuggestion,
  voteOn,
  type StatusChange,
  type SuggestionPatch
} from './write.ts';

const use = { access: 'suggestions.use' } as const;
const manage = { access: 'suggestions.manage' } as const;
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** The suggestions board. Each suggestion is checked in the services (server/policies/suggestions.ts). */
export async function suggestionRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);

  app.get('/suggestions', { config: use, schema: { querystring: s.listQuery } }, async (request) =>
    listSuggestions(request.ctx(), request.query as SuggestionListQuery)
  );
  app.get('/suggestions/similar', { config: use, schema: { querystring: s.similarQuery } }, async (request) => {
    const query = request.query as { q: string; excludeId?: number };
    return similarSuggestions(request.ctx(), query.q, query.excludeId);
  });
  app.post('/suggestions', { config: use, schema: { body: s.createBody } }, async (request, reply) =>
    reply.status(201).send(createSuggestion(request.ctx(), request.body as SuggestionInput))
  );
  app.get('/suggestions/:id', { config: use, schema: { params: idParam } }, async (request) =>
    getSuggestion(request.ctx(), idOf(request))
  );
  app.patch('/suggestions/:id', { config: use, schema: { params: idParam, body: s.patchBody } }, async (request) =>
    updateSuggestion(request.ctx(), idOf(request), request.body as SuggestionPatch)
  );
  app.post('/suggestions/:id/vote', { config: use, schema: { params: idParam, body: s.voteBody } }, async (request) =>
    voteOn(request.ctx(), idOf(request), (request.body as { vote: boolean }).vote)
  );
  app.post('/suggestions/:id/status', { config: manage, schema: { params: idParam, body: s.statusBody } }, async (request) =>
    setStatus(request.ctx(), idOf(request), request.body as StatusChange)
  );
  app.post('/suggestions/:id/delete', { config: manage, schema: { params: idParam, body: noBody } }, async (request) =>
    deleteSuggestion(request.ctx(), idOf(request))
  );
}
