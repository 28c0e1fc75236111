import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ResourceType } from '../../../db/schema/index.ts';
import { idParam, noBody } from '../../shared/schema.ts';
import { privacyCheckReplies } from '../discussions/routes.ts';
import { downloadCurrent, downloadVersion } from './download.ts';
import { extractionIdle } from './extraction.ts';
import { listWatches, recommend, reportBrokenLink, setWatch } from './engagement.ts';
import type { ResourceInput } from './input.ts';
import { getResource, listResources, type ResourceListQuery } from './read.ts';
import * as s from './schemas.ts';
import { adminTags, mergeTags, tagSuggestions } from './tags.ts';
import {
  addVersion,
  checkResource,
  createFileResource,
  createLinkResource,
  deleteResource,
  restoreResource,
  updateResource,
  type ResourcePatch
} from './write.ts';

const use = { access: 'resources.use' } as const;
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** The resource library API (contract: /work/briefs/resources-api.md). Each resource is checked in the services. */
export async function resourceRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);
  // Streaming multipart for the upload routes only, in this scope: no other route accepts a form.
  await app.register(multipart, { limits: { fileSize: app.deps.config.uploadMaxBytes, files: 1 } });
  // A document being read for search must finish before the database closes.
  app.addHook('onClose', async () => extractionIdle(app.deps));

  app.get('/resources', { config: use, schema: { querystring: s.listQuery } }, async (request) =>
    listResources(request.ctx(), request.query as ResourceListQuery)
  );
  app.get('/resources/tags', { config: use, schema: { querystring: s.tagQuery } }, async (request) =>
    tagSuggestions(request.ctx(), request.query as { q?: string; limit?: number })
  );
  app.get('/resources/watches', { config: use }, async (request) => listWatches(request.ctx()));
  app.post('/resources/watches', { config: use, schema: { body: s.watchBody } }, async (request) =>
    setWatch(request.ctx(), request.body as { tag?: string; type?: ResourceType; watching: boolean })
  );
  app.post('/resources/check', { config: use, schema: { body: s.checkBody } }, async (request) =>
    checkResource(request.ctx(), request.body as ResourceInput & { kind: 'file' | 'link' })
  );
  app.post('/resources', { config: use, schema: { body: s.linkBody } }, async (request, reply) =>
    reply.status(201).send(createLinkResource(request.ctx(), request.body as ResourceInput))
  );
  app.post('/resources/files', { config: use, schema: { body: s.multipartBody } }, async (request, reply) =>
    reply.status(201).send(await createFileResource(request.ctx(), request))
  );

  app.get('/resources/:id', { config: use, schema: { params: idParam } }, async (request) =>
    getResource(request.ctx(), idOf(request))
  );
  app.patch('/resources/:id', { config: use, schema: { params: idParam, body: s.patchBody } }, async (request) =>
    updateResource(request.ctx(), idOf(request), request.body as ResourcePatch)
  );
  app.post('/resources/:id/delete', { config: use, schema: { params: idParam, body: noBody } }, async (request) =>
    deleteResource(request.ctx(), idOf(request))
  );
  app.post('/resources/:id/restore', { config: use, schema: { params: idParam, body: noBody } }, async (request) =>
    restoreResource(request.ctx(), idOf(request))
  );
  app.post(
    '/resources/:id/versions',
    { config: use, schema: { params: idParam, body: s.multipartBody } },
    async (request, reply) => reply.status(201).send(await addVersion(request.ctx(), idOf(request), request))
  );
  app.get('/resources/:id/download', { config: use, schema: { params: idParam } }, async (request, reply) =>
    downloadCurrent(request.ctx(), request, reply, idOf(request))
  );
  app.get('/resources/versions/:id/download', { config: use, schema: { params: idParam } }, async (request, reply) =>
    downloadVersion(request.ctx(), request, reply, idOf(request))
  );
  app.post('/resources/:id/recommend', { config: use, schema: { params: idParam, body: s.recommendBody } }, async (request) =>
    recommend(request.ctx(), idOf(request), (request.body as { recommended: boolean }).recommended)
  );
  app.post(
    '/resources/:id/report-broken-link',
    { config: use, schema: { params: idParam, body: s.reportBody } },
    async (request, reply) =>
      reply.status(201).send(reportBrokenLink(request.ctx(), idOf(request), request.body as { note?: string | null }))
  );

  const manage = { access: 'resourceTags.manage' } as const;
  app.get('/admin/resource-tags', { config: manage, schema: { querystring: s.adminTagQuery } }, async (request) =>
    adminTags(request.ctx(), request.query as { q?: string; limit?: number })
  );
  app.post('/admin/resource-tags/merge', { config: manage, schema: { body: s.mergeBody } }, async (request) =>
    mergeTags(request.ctx(), request.body as { from: string; into: string })
  );
}
