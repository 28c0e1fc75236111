import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Deps, Ctx } from '../context.ts';
import type { Actor } from '../policies/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    clientIp: string;
    /** True for the SvelteKit server's in-process calls (they carry the per-process secret). */
    internal: boolean;
    ctx(): Ctx;
  }
}

export const INTERNAL_HEADER = 'x-tfc-internal';
export const INTERNAL_IP_HEADER = 'x-tfc-client-ip';
export const INTERNAL_UA_HEADER = 'x-tfc-user-agent';

/**
 * Who is asking and from where. X-Forwarded-For is believed only when TRUST_PROXY is set; the
 * SvelteKit server's in-process calls pass the browser's address in a header only they can set.
 */
export const requestContextPlugin = fp(
  async (app, opts: { deps: Deps; internalSecret: string }) => {
    const { deps, internalSecret } = opts;
    app.decorateRequest('actor', null);
    app.decorateRequest('clientIp', '');
    app.decorateRequest('internal', false);
    app.decorateRequest('ctx', function (this: FastifyRequest): Ctx {
      const ua = this.internal ? this.headers[INTERNAL_UA_HEADER] : this.headers['user-agent'];
      return { ...deps, actor: this.actor, ip: this.clientIp, userAgent: typeof ua === 'string' ? ua : '' };
    });
    app.addHook('onRequest', async (request) => {
      request.internal = request.headers[INTERNAL_HEADER] === internalSecret;
      let ip = request.ip;
      if (request.internal) {
        const forwarded = request.headers[INTERNAL_IP_HEADER];
        if (typeof forwarded === 'string' && forwarded) ip = forwarded;
      } else if (deps.config.trustProxy) {
        const xff = request.headers['x-forwarded-for'];
        const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
        if (first) ip = first;
      }
      request.clientIp = ip;
    });
  },
  { name: 'request-context' }
);
