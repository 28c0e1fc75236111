import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { IMAGE_PURPOSES } from '../../../db/schema/index.ts';
import { idParam, obj } from '../../shared/schema.ts';
import { serveImage, uploadImage } from './service.ts';

const use = { access: 'directory.use' } as const;

/** Pictures for profiles and spotlights (contract: /work/briefs/s4/directory-api.md). */
export async function imageRoutes(app: FastifyInstance) {
  // Streaming multipart for this scope only, capped at IMAGE_MAX_MB.
  await app.register(multipart, { limits: { fileSize: app.deps.config.imageMaxBytes, files: 1 } });

  app.post(
    '/images',
    {
      config: use,
      schema: {
        querystring: obj({ purpose: { type: 'string', enum: [...IMAGE_PURPOSES] } }, []),
        body: obj({}, [])
      }
    },
    async (request, reply) =>
      reply.status(201).send(await uploadImage(request.ctx(), request, (request.query as { purpose?: string }).purpose))
  );
  app.get(
    '/images/:id',
    {
      config: use,
      schema: { params: idParam },
      // After the site-wide no-store (plugins/security.ts): a picture may stay in this browser's cache,
      // revalidated by its ETag each time, since who may see it can change.
      onSend: async (_request, reply) => {
        if (reply.statusCode === 200 || reply.statusCode === 304) reply.header('Cache-Control', 'private, no-cache');
      }
    },
    async (request, reply) => serveImage(request.ctx(), request, reply, (request.params as { id: number }).id)
  );
}
