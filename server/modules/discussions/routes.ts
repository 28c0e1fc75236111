import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DraftKind, NotificationLevel, Reaction } from '../../../db/schema/index.ts';
import { PrivacyCheckRequired } from '../../shared/privacyGuard.ts';
import { idParam, noBody } from '../../shared/schema.ts';
import { listCategories } from './categories.ts';
import { deleteDraft, getDraft, saveDraft } from './drafts.ts';
import { listBookmarks, markRead, react, setBookmark, setCategoryLevel, setThreadLevel, whoReacted } from './engagement.ts';
import { flagPost, type FlagInput } from './flags.ts';
import { mentionCandidates } from './mentions.ts';
import { deletePost, editPost, listRevisions, reply, type ReplyInput } from './posts.ts';
import { preview } from './preview.ts';
import * as s from './schemas.ts';
import { getPost, getThreadPage, type ThreadPageQuery } from './threadPage.ts';
import { createThread, listCategoryThreads, listLatestThreads, type NewThreadInput, type ThreadListQuery } from './threads.ts';

const use = { access: 'discussions.use' } as const;
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** The privacy guard's 422 carries its findings (kinds and excerpts) beside the usual error body. */
export function privacyCheckReplies(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof PrivacyCheckRequired) return reply.status(422).send(error.toBody());
    throw error;
  });
}

function draftRoutes(app: FastifyInstance, kind: DraftKind, path: string): void {
  app.get(`${path}/:id/draft`, { config: use, schema: { params: idParam } }, async (request) =>
    getDraft(request.ctx(), kind, idOf(request))
  );
  app.put(`${path}/:id/draft`, { config: use, schema: { params: idParam, body: s.draftBody } }, async (request) =>
    saveDraft(request.ctx(), kind, idOf(request), request.body as { body: string; title?: string | null })
  );
  app.delete(`${path}/:id/draft`, { config: use, schema: { params: idParam, body: noBody } }, async (request) =>
    deleteDraft(request.ctx(), kind, idOf(request))
  );
}

/** Members' discussion routes: every object is checked against the read rule in the services. */
export async function discussionRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);

  app.get('/discussions/categories', { config: use }, async (request) => listCategories(request.ctx()));

  app.get(
    '/discussions/categories/:id/threads',
    { config: use, schema: { params: idParam, querystring: s.categoryThreadsQuery } },
    async (request) => listCategoryThreads(request.ctx(), idOf(request), request.query as ThreadListQuery)
  );

  app.post(
    '/discussions/categories/:id/threads',
    { config: use, schema: { params: idParam, body: s.newThreadBody } },
    async (request, reply) =>
      reply.status(201).send(await createThread(request.ctx(), idOf(request), request.body as NewThreadInput))
  );

  app.post(
    '/discussions/categories/:id/notification-level',
    { config: use, schema: { params: idParam, body: s.levelBody } },
    async (request) => setCategoryLevel(request.ctx(), idOf(request), (request.body as { level: NotificationLevel }).level)
  );

  app.get('/discussions/threads/latest', { config: use, schema: { querystring: s.listQuery } }, async (request) =>
    listLatestThreads(request.ctx(), request.query as ThreadListQuery)
  );

  app.get(
    '/discussions/threads/:id',
    { config: use, schema: { params: idParam, querystring: s.threadPageQuery } },
    async (request) => getThreadPage(request.ctx(), idOf(request), request.query as ThreadPageQuery)
  );

  app.post(
    '/discussions/threads/:id/posts',
    { config: use, schema: { params: idParam, body: s.replyBody } },
    async (request, res) => res.status(201).send(await reply(request.ctx(), idOf(request), request.body as ReplyInput))
  );

  app.post('/discussions/threads/:id/read', { config: use, schema: { params: idParam, body: s.readBody } }, async (request) =>
    markRead(request.ctx(), idOf(request), (request.body as { number: number }).number)
  );

  app.post(
    '/discussions/threads/:id/notification-level',
    { config: use, schema: { params: idParam, body: s.levelBody } },
    async (request) => setThreadLevel(request.ctx(), idOf(request), (request.body as { level: NotificationLevel }).level)
  );

  app.get('/discussions/posts/:id', { config: use, schema: { params: idParam } }, async (request) =>
    getPost(request.ctx(), idOf(request))
  );

  app.patch('/discussions/posts/:id', { config: use, schema: { params: idParam, body: s.editBody } }, async (request) =>
    editPost(request.ctx(), idOf(request), request.body as { body: string; title?: string; confirmPrivacy?: boolean })
  );

  app.post('/discussions/posts/:id/delete', { config: use, schema: { params: idParam, body: noBody } }, async (request) => {
    deletePost(request.ctx(), idOf(request));
    return { deleted: true };
  });

  app.get('/discussions/posts/:id/revisions', { config: use, schema: { params: idParam } }, async (request) =>
    listRevisions(request.ctx(), idOf(request))
  );

  app.post(
    '/discussions/posts/:id/reactions',
    { config: use, schema: { params: idParam, body: s.reactionBody } },
    async (request) => {
      const body = request.body as { kind: Reaction; reacted?: boolean };
      return react(request.ctx(), idOf(request), body.kind, body.reacted);
    }
  );

  app.get('/discussions/posts/:id/reactions', { config: use, schema: { params: idParam } }, async (request) =>
    whoReacted(request.ctx(), idOf(request))
  );

  app.post(
    '/discussions/posts/:id/bookmark',
    { config: use, schema: { params: idParam, body: s.bookmarkBody } },
    async (request) => setBookmark(request.ctx(), idOf(request), (request.body as { bookmarked: boolean }).bookmarked)
  );

  app.post(
    '/discussions/posts/:id/flag',
    { config: use, schema: { params: idParam, body: s.flagBody } },
    async (request, reply) => reply.status(201).send(flagPost(request.ctx(), idOf(request), request.body as FlagInput))
  );

  app.get('/discussions/bookmarks', { config: use, schema: { querystring: s.listQuery } }, async (request) =>
    listBookmarks(request.ctx(), request.query as { after?: string; limit?: number })
  );

  app.post('/discussions/preview', { config: use, schema: { body: s.previewBody } }, async (request) =>
    preview(request.ctx(), request.body as { body: string; title?: string })
  );

  app.get('/discussions/mention-candidates', { config: use, schema: { querystring: s.mentionQuery } }, async (request) =>
    mentionCandidates(request.ctx(), request.query as { q: string; threadId?: number; categoryId?: number })
  );

  draftRoutes(app, 'thread', '/discussions/threads');
  draftRoutes(app, 'category', '/discussions/categories');
}
