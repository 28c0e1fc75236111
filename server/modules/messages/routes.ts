import type { FastifyInstance, FastifyRequest } from 'fastify';
import { idParam, noBody } from '../../shared/schema.ts';
import { privacyCheckReplies } from '../discussions/routes.ts';
import { deleteMessage, flagMessage, type MessageFlagInput } from './flags.ts';
import { decideMessageFlag, messageQueue, type MessageDecisionInput } from './moderation.ts';
import { getConversation, getMessage, listConversations, markConversationRead, recipientFor } from './read.ts';
import * as s from './schemas.ts';
import { replyInConversation, sendMessage, type MessageInput } from './send.ts';

const use = { access: 'messages.use' } as const;
const moderate = { access: 'messages.moderate' } as const;
const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;

/** Direct messages: one conversation per pair of members, read by those two only. */
export async function messageRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);

  app.get('/messages/to/:id', { config: use, schema: { params: idParam } }, async (request) =>
    recipientFor(request.ctx(), idOf(request))
  );

  app.post('/messages', { config: use, schema: { body: s.sendBody } }, async (request, reply) =>
    reply.status(201).send(await sendMessage(request.ctx(), request.body as MessageInput & { to: number }))
  );

  app.get('/messages/conversations', { config: use, schema: { querystring: s.inboxQuery } }, async (request) =>
    listConversations(request.ctx(), request.query as { after?: string; limit?: number })
  );

  app.get(
    '/messages/conversations/:id',
    { config: use, schema: { params: idParam, querystring: s.conversationQuery } },
    async (request) => getConversation(request.ctx(), idOf(request), request.query as { before?: number; limit?: number })
  );

  app.post(
    '/messages/conversations/:id',
    { config: use, schema: { params: idParam, body: s.replyBody } },
    async (request, reply) =>
      reply.status(201).send(await replyInConversation(request.ctx(), idOf(request), request.body as MessageInput))
  );

  app.post('/messages/conversations/:id/read', { config: use, schema: { params: idParam, body: s.readBody } }, async (request) =>
    markConversationRead(request.ctx(), idOf(request), (request.body as { upTo: number }).upTo)
  );

  app.get('/messages/:id', { config: use, schema: { params: idParam } }, async (request) =>
    getMessage(request.ctx(), idOf(request))
  );

  app.post('/messages/:id/delete', { config: use, schema: { params: idParam, body: noBody } }, async (request) =>
    deleteMessage(request.ctx(), idOf(request))
  );

  app.post('/messages/:id/flag', { config: use, schema: { params: idParam, body: s.flagBody } }, async (request, reply) =>
    reply.status(201).send(flagMessage(request.ctx(), idOf(request), request.body as MessageFlagInput))
  );

  app.get('/moderation/messages', { config: moderate, schema: { querystring: s.queueQuery } }, async (request) =>
    messageQueue(request.ctx(), request.query as { after?: string; limit?: number })
  );

  app.post(
    '/moderation/message-flags/:id',
    { config: moderate, schema: { params: idParam, body: s.decideBody } },
    async (request) => decideMessageFlag(request.ctx(), idOf(request), request.body as MessageDecisionInput)
  );
}
