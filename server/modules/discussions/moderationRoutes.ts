import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PinScope } from '../../../db/schema/index.ts';
import { idParam, noBody } from '../../shared/schema.ts';
import { adminListCategories, createCategory, updateCategory, type CategoryInput } from './categories.ts';
import { decide, moderationQueue, purgePost, type DecisionInput, type PurgeInput } from './flags.ts';
import { restorePost } from './posts.ts';
import { privacyCheckReplies } from './routes.ts';
import * as s from './schemas.ts';
import { deleteThread, moveThread, pinThread, restoreThread, setClosed, setLocked } from './staff.ts';

const moderate = { access: 'discussions.moderate' } as const;
const manage = { access: 'categories.manage' } as const;
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** Moderators: thread actions, the flag queue and its outcomes, purge. Every action is audited in its service. */
export async function moderationRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);

  app.post(
    '/discussions/threads/:id/pin',
    { config: moderate, schema: { params: idParam, body: s.pinBody } },
    async (request) => {
      const body = request.body as { scope: PinScope | null; until?: string | null };
      pinThread(request.ctx(), idOf(request), body);
      return { pinned: body.scope };
    }
  );

  app.post(
    '/discussions/threads/:id/lock',
    { config: moderate, schema: { params: idParam, body: s.lockBody } },
    async (request) => {
      const { locked } = request.body as { locked: boolean };
      setLocked(request.ctx(), idOf(request), locked);
      return { locked };
    }
  );

  app.post(
    '/discussions/threads/:id/close',
    { config: moderate, schema: { params: idParam, body: s.closeBody } },
    async (request) => {
      const { closed } = request.body as { closed: boolean };
      setClosed(request.ctx(), idOf(request), closed);
      return { closed };
    }
  );

  app.post(
    '/discussions/threads/:id/move',
    { config: moderate, schema: { params: idParam, body: s.moveBody } },
    async (request) => {
      const { categoryId } = request.body as { categoryId: number };
      moveThread(request.ctx(), idOf(request), categoryId);
      return { categoryId };
    }
  );

  app.post(
    '/discussions/threads/:id/delete',
    { config: moderate, schema: { params: idParam, body: noBody } },
    async (request) => {
      deleteThread(request.ctx(), idOf(request));
      return { deleted: true };
    }
  );

  app.post(
    '/discussions/threads/:id/restore',
    { config: moderate, schema: { params: idParam, body: noBody } },
    async (request) => {
      restoreThread(request.ctx(), idOf(request));
      return { restored: true };
    }
  );

  app.post('/discussions/posts/:id/restore', { config: moderate, schema: { params: idParam, body: noBody } }, async (request) => {
    restorePost(request.ctx(), idOf(request));
    return { restored: true };
  });

  app.get('/moderation/flags', { config: moderate, schema: { querystring: s.listQuery } }, async (request) =>
    moderationQueue(request.ctx(), request.query as { after?: string; limit?: number })
  );

  app.post(
    '/moderation/posts/:id/decide',
    { config: moderate, schema: { params: idParam, body: s.decideBody } },
    async (request) => decide(request.ctx(), idOf(request), request.body as DecisionInput)
  );

  app.post('/moderation/posts/:id/purge', { config: moderate, schema: { params: idParam, body: s.purgeBody } }, async (request) =>
    purgePost(request.ctx(), idOf(request), request.body as PurgeInput)
  );
}

/** Admins: the categories and who may read them. */
export async function categoryAdminRoutes(app: FastifyInstance) {
  app.get('/admin/categories', { config: manage }, async (request) => adminListCategories(request.ctx()));

  app.post('/admin/categories', { config: manage, schema: { body: s.categoryBody } }, async (request, reply) =>
    reply.status(201).send(createCategory(request.ctx(), request.body as CategoryInput))
  );

  app.patch('/admin/categories/:id', { config: manage, schema: { params: idParam, body: s.categoryBody } }, async (request) => {
    updateCategory(request.ctx(), idOf(request), request.body as CategoryInput);
    return { updated: true };
  });
}
