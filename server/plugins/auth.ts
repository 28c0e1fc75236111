import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { authorize, type RouteAccess } from '../policies/index.ts';
import type { SessionStore } from '../modules/auth/sessions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route: 'public' or the policy action every request must pass. */
    access?: RouteAccess;
  }
}

export function sessionCookieName(config: Config): string {
  return config.secureCookies ? '__Host-tfc_session' : 'tfc_session';
}
export function challengeCookieName(config: Config): string {
  return config.secureCookies ? '__Host-tfc_mfa' : 'tfc_mfa';
}

export function cookieOptions(config: Config, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {})
  };
}

/**
 * Sets request.actor from the session cookie, and gates every route on its declared access.
 * A route without `config.access` cannot be registered: members-only is the default by construction.
 */
export const authPlugin = fp(
  async (app, opts: { config: Config; sessions: SessionStore }) => {
    const { config, sessions } = opts;
    const cookie = sessionCookieName(config);
    app.addHook('onRoute', (route) => {
      const access = (route.config as { access?: RouteAccess } | undefined)?.access;
      if (!access) {
        throw new Error(`Route ${route.method} ${route.url} declares no config.access`);
      }
    });
    app.addHook('onRequest', async (request) => {
      const token = request.cookies[cookie];
      request.actor = token ? sessions.validate(token) : null;
    });
    // preValidation, not preHandler: who may call a route is decided before its body is validated,
    // so a signed-out caller learns nothing about the schema (401, not 400).
    app.addHook('preValidation', async (request) => {
      const access = request.routeOptions.config.access;
      if (!access || access === 'public') return;
      authorize(request.actor, access);
    });
  },
  { name: 'auth', dependencies: ['request-context', '@fastify/cookie'] }
);
