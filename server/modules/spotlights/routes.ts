import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idParam, noBody } from '../../shared/schema.ts';
import { privacyCheckReplies } from '../discussions/routes.ts';
import { consentRequests, decideConsent, type Decision } from './consent.ts';
import type { SpotlightInput } from './input.ts';
import {
  calendar,
  currentSpotlight,
  getSpotlight,
  listSpotlights,
  memberOptions,
  previewSpotlight,
  type ArchiveQuery
} from './read.ts';
import * as s from './schemas.ts';
import { createSpotlight, deleteSpotlight, scheduleSpotlight, unscheduleSpotlight, updateSpotlight } from './write.ts';

const use = { access: 'spotlights.use' } as const;
const write = { access: 'spotlights.write' } as const;
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** The weekly spotlight API (contract: /work/briefs/s4/spotlights-api.md). Each spotlight is checked in the services. */
export async function spotlightRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);

  app.get('/spotlights/current', { config: use }, async (request) => currentSpotlight(request.ctx()));
  app.get('/spotlights', { config: use, schema: { querystring: s.listQuery } }, async (request) =>
    listSpotlights(request.ctx(), request.query as ArchiveQuery)
  );
  app.get('/spotlights/consent-requests', { config: use }, async (request) => consentRequests(request.ctx()));
  app.get('/spotlights/calendar', { config: write, schema: { querystring: s.calendarQuery } }, async (request) =>
    calendar(request.ctx(), (request.query as { from?: string }).from)
  );
  app.get('/spotlights/member-options', { config: write, schema: { querystring: s.memberOptionsQuery } }, async (request) =>
    memberOptions(request.ctx(), request.query as { q?: string; limit?: number })
  );
  app.post('/spotlights/preview', { config: write, schema: { body: s.previewBody } }, async (request) =>
    previewSpotlight(request.ctx(), (request.body as { body: string }).body)
  );
  app.post('/spotlights', { config: write, schema: { body: s.createBody } }, async (request, reply) =>
    reply.status(201).send(await createSpotlight(request.ctx(), request.body as SpotlightInput & { week?: string }))
  );

  app.get('/spotlights/:id', { config: use, schema: { params: idParam } }, async (request) =>
    getSpotlight(request.ctx(), idOf(request))
  );
  app.patch('/spotlights/:id', { config: write, schema: { params: idParam, body: s.patchBody } }, async (request) =>
    updateSpotlight(request.ctx(), idOf(request), request.body as SpotlightInput)
  );
  app.post('/spotlights/:id/delete', { config: write, schema: { params: idParam, body: noBody } }, async (request) =>
    deleteSpotlight(request.ctx(), idOf(request))
  );
  app.post('/spotlights/:id/schedule', { config: write, schema: { params: idParam, body: s.scheduleBody } }, async (request) =>
    scheduleSpotlight(request.ctx(), idOf(request), (request.body as { week: string }).week)
  );
  app.post('/spotlights/:id/unschedule', { config: write, schema: { params: idParam, body: noBody } }, async (request) =>
    unscheduleSpotlight(request.ctx(), idOf(request))
  );
  app.post('/spotlights/:id/consent', { config: use, schema: { params: idParam, body: s.consentBody } }, async (request) =>
    decideConsent(request.ctx(), idOf(request), request.body as { revision: number; decision: Decision; comment?: string | null })
  );
}
