import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebsocketPluginOptions } from '@fastify/websocket';
import type { Config } from '../config.ts';
import { Forbidden } from '../shared/errors.ts';
import { socketQuery } from '../modules/notifications/schemas.ts';
import { wholeNumber } from '../modules/notifications/service.ts';
import type { Hub } from './hub.ts';

/** Client messages are tiny; anything bigger is not one of ours. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** Options for @fastify/websocket: our hub closes its sockets on shutdown (1001, "come back"). */
export function websocketOptions(hub: Hub): WebsocketPluginOptions {
  return {
    options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false },
    preClose(done) {
      hub.stop();
      this.websocketServer.close();
      done();
    },
    errorHandler(error, socket, request) {
      // A client vanishing mid-frame is ordinary on mobile networks: not an error of ours.
      request.log.debug({ err: error }, 'websocket error');
      socket.terminate();
    }
  };
}

/**
 * GET /api/ws. By the time the handler runs, the hooks have done the handshake's checks: the
 * session cookie gave request.actor, the route's access ('notifications.use': an active member who
 * finished activation) refused everyone else with 401/403 before any upgrade, and the Origin must
 * be the site's own (a WebSocket is not covered by CORS: without this any site could open one with
 * the member's cookie). A plain GET (no upgrade) answers 426.
 */
export async function realtimeRoutes(app: FastifyInstance, opts: { config: Config; hub: Hub }) {
  const { config, hub } = opts;
  app.route({
    method: 'GET',
    url: '/ws',
    config: { access: 'notifications.use' },
    schema: { querystring: socketQuery },
    preHandler: async (request: FastifyRequest) => {
      wholeNumber((request.query as { after?: number }).after, 'after');
      if (request.ws && request.headers.origin !== config.publicOrigin) {
        throw new Forbidden('This connection must come from the Task Force Connect site itself (Origin check failed).');
      }
    },
    handler: async (_request, reply) =>
      reply
        .status(426)
        .header('Upgrade', 'websocket')
        .send({ error: { code: 'upgrade_required', message: 'This address takes a WebSocket connection.' } }),
    wsHandler: (socket, request) => {
      const after = (request.query as { after?: number }).after;
      hub.accept(socket, request.actor!, after ?? null);
    }
  });
}
