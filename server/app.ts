import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import type { Db } from '../db/client.ts';
import type { Config } from './config.ts';
import type { Deps } from './context.ts';
import { InProcessBus, type EventBus } from './events/bus.ts';
import { subscribeMail } from './events/subscribers/mail.ts';
import { subscribeNotifications } from './events/subscribers/notifications.ts';
import { subscribeRealtime } from './events/subscribers/realtime.ts';
import { OutboxMailer, SmtpMailer, type Mailer } from './mail/mailer.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { categoryAdminRoutes, moderationRoutes } from './modules/discussions/moderationRoutes.ts';
import { discussionRoutes } from './modules/discussions/routes.ts';
import { directoryRoutes } from './modules/directory/routes.ts';
import { imageRoutes } from './modules/images/routes.ts';
import { SessionStore } from './modules/auth/sessions.ts';
import { healthRoutes } from './modules/health/routes.ts';
import { memberAdminRoutes } from './modules/members/routes.ts';
import { membershipRoutes } from './modules/membership/routes.ts';
import { messageRoutes } from './modules/messages/routes.ts';
import { notificationRoutes } from './modules/notifications/routes.ts';
import { searchRoutes } from './modules/search/routes.ts';
import { resourceRoutes } from './modules/resources/routes.ts';
import { suggestionRoutes } from './modules/suggestions/routes.ts';
import { subscribeResourceNotifications } from './modules/resources/notify.ts';
import { spotlightRoutes } from './modules/spotlights/routes.ts';
import { subscribeSpotlightNotifications } from './modules/spotlights/notify.ts';
import { settingsRoutes } from './modules/settings/routes.ts';
import { SettingsStore } from './modules/settings/store.ts';
import { taskForceRoutes } from './modules/taskForces/routes.ts';
import { authPlugin } from './plugins/auth.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { requestContextPlugin } from './plugins/requestContext.ts';
import { securityPlugin } from './plugins/security.ts';
import { Hub } from './realtime/hub.ts';
import { realtimeRoutes, websocketOptions } from './realtime/routes.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { GroupCommit } from './shared/groupCommit.ts';
import { Limiter } from './shared/limiter.ts';
import { SecretBox } from './shared/secretBox.ts';
import { generateToken } from './shared/tokens.ts';
import { mountWeb } from './web.ts';
import { instrumentBus, metricsPlugin, requestIdFor } from './ops/instrument.ts';
import { dashboardRoutes } from './modules/dashboard/routes.ts';
import { Invalid } from './shared/errors.ts';

export interface BuildOptions {
  db: Db;
  config: Config;
  /** Hex key for SecretBox; main.ts reads it from SECRET_KEY or DATA_DIR/secret.key. */
  secretKey: string;
  clock?: Clock;
  bus?: EventBus;
  mailer?: Mailer;
  /** Serve the built SvelteKit app too (main.ts); API tests leave it off. */
  web?: boolean;
  /** Replace the logger entirely (false silences it). */
  logger?: Record<string, unknown> | boolean;
  /** Where the production logger writes (default stdout); tests capture it to prove what is never logged. */
  logStream?: NodeJS.WritableStream;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: string;
  /** The route's validation schemas (body, querystring, params): fuzz tests generate inputs from them. */
  schema?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: Deps;
    /** Every registered route with its declared access: the policy matrix and fuzz tests walk this. */
    routeList: RouteInfo[];
    /** The WebSocket hub of this process (tests and the benchmark read its counts). */
    hub: Hub;
  }
}

function hasNonFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (depth < 20 && value && typeof value === 'object') return Object.values(value).some((v) => hasNonFinite(v, depth + 1));
  return false;
}

/** Builds the whole app: used by main.ts and by every test. */
export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { db, config } = opts;
  const clock = opts.clock ?? systemClock;
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.logLevel,
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
      serializers: {
        // Never log query strings: status and reset links carry tokens there.
        req: (req: { method: string; url: string; id: string }) => ({
          method: req.method,
          url: req.url.split('?')[0],
          id: req.id
        })
      },
      ...(opts.logStream ? { stream: opts.logStream } : {})
    },
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: 256 * 1024,
    // Deadlines for slow clients (config.ts); Node enforces the request and header deadlines only at each
    // connections check, so that interval is a quarter of the shorter deadline (at most Node's default 30 s).
    connectionTimeout: config.idleTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(config.headersTimeoutMs / 4)))
    },
    // Fastify's own URL errors (a bare %, a bad encoding) get the same JSON error shape as everything else.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      void (reply as FastifyReply)
        .status(status)
        .send({ error: { code: 'bad_request', message: 'That address or request is not valid.' } });
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, strictNumbers: true } }
  });

  const bus = opts.bus ?? new InProcessBus((err, event) => app.log.error({ err, event: event.type }, 'event subscriber failed'));
  const mailer: Mailer =
    opts.mailer ??
    (config.smtpUrl
      ? new SmtpMailer(config.smtpUrl, config.mailFrom)
      : new OutboxMailer(db, clock, (line) => process.stdout.write(line)));
  const settings = new SettingsStore(db);
  const partial = {
    db,
    writes: new GroupCommit(db),
    bus,
    config,
    clock,
    box: new SecretBox(opts.secretKey),
    mailer,
    limiter: new Limiter(),
    settings,
    log: app.log
  };
  const deps: Deps = { ...partial, sessions: new SessionStore(partial) };
  app.decorate('deps', deps);
  // Before any subscriber registers: every handler is timed from its event's publish (server/ops/instrument.ts).
  instrumentBus(bus, deps);
  const routeList: RouteInfo[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' && route.url !== '/*') continue;
      routeList.push({
        method,
        url: route.url,
        access: String((route.config as { access?: string } | undefined)?.access),
        schema: route.schema as Record<string, unknown> | undefined
      });
    }
  });
  subscribeMail(bus, mailer, config);
  // Persist first, then push: the notifications subscriber publishes notification.created for the hub.
  subscribeNotifications(bus, deps);
  const hub = new Hub(deps, {
    heartbeatMs: config.wsHeartbeatMs,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxSocketsPerMember: config.wsMaxSocketsPerMember,
    maxThreadsPerSocket: 20
  });
  app.decorate('hub', hub);
  subscribeRealtime(bus, hub);
  subscribeResourceNotifications(bus, deps);
  subscribeSpotlightNotifications(bus, deps);

  const internalSecret = generateToken();
  await app.register(errorsPlugin);
  await app.register(metricsPlugin, { deps });
  await app.register(cookie);
  await app.register(requestContextPlugin, { deps, internalSecret });
  await app.register(securityPlugin, { config });
  await app.register(authPlugin, { config, sessions: deps.sessions });
  await app.register(websocket, websocketOptions(hub));

  await app.register(
    async (api) => {
      // A POST without a payload is read as an empty body, so `noBody` schemas can still refuse stray fields.
      api.addHook('preValidation', async (request) => {
        if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') request.body = {};
      });
      // Ajv's type coercion turns "Infinity" and "1e400" into ±Infinity and then skips minimum/maximum.
      api.addHook('preHandler', async (request) => {
        if (!request.is404 && (hasNonFinite(request.params) || hasNonFinite(request.query) || hasNonFinite(request.body))) {
          throw new Invalid('Numbers must be finite.');
        }
      });
      await api.register(healthRoutes);
      await api.register(authRoutes, { config });
      await api.register(membershipRoutes);
      await api.register(memberAdminRoutes);
      await api.register(taskForceRoutes);
      await api.register(auditRoutes);
      await api.register(settingsRoutes);
      await api.register(discussionRoutes);
      await api.register(moderationRoutes);
      await api.register(categoryAdminRoutes);
      await api.register(searchRoutes);
      await api.register(notificationRoutes);
      await api.register(messageRoutes);
      await api.register(resourceRoutes);
      await api.register(spotlightRoutes);
      await api.register(suggestionRoutes);
      await api.register(dashboardRoutes);
      await api.register(directoryRoutes);
      await api.register(imageRoutes);
      await api.register(realtimeRoutes, { config, hub });
      api.setNotFoundHandler({}, (request, reply) => {
        reply
          .status(404)
          .send({ error: { code: 'not_found', message: `No API route ${request.method} ${request.url.split('?')[0]}.` } });
      });
    },
    { prefix: '/api' }
  );

  if (opts.web) await mountWeb(app, config, internalSecret);
  hub.start();
  app.addHook('onClose', async () => {
    hub.stop();
    await bus.idle();
    mailer.close?.();
  });
  return app;
}
