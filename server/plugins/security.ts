import fp from 'fastify-plugin';
import { Forbidden } from '../shared/errors.ts';
import type { Config } from '../config.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Security headers on every API reply, and the Origin check on every state-changing request
 * (SvelteKit checks its own form actions; its in-process calls are trusted by their secret).
 */
export const securityPlugin = fp(
  async (app, opts: { config: Config }) => {
    const { config } = opts;
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method) || request.internal) return;
      const origin = request.headers.origin;
      const fetchSite = request.headers['sec-fetch-site'];
      if (origin === config.publicOrigin) return;
      if (origin === undefined && fetchSite === 'same-origin') return;
      throw new Forbidden('This request must come from the Task Force Connect site itself (Origin check failed).');
    });
    app.addHook('onSend', async (_request, reply) => {
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('Referrer-Policy', 'no-referrer');
      reply.header('X-Frame-Options', 'DENY');
      reply.header('Cross-Origin-Opener-Policy', 'same-origin');
      reply.header('Cross-Origin-Resource-Policy', 'same-origin');
      reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
      if (!reply.hasHeader('Content-Security-Policy')) {
        reply.header(
          'Content-Security-Policy',
          "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'none'"
        );
      }
      reply.header('Cache-Control', 'no-store');
      if (config.secureCookies) reply.header('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    });
  },
  { name: 'security', dependencies: ['request-context'] }
);
