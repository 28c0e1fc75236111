import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { FakeClock } from '../../server/shared/clock.ts';
import { OutboxMailer } from '../../server/mail/mailer.ts';
import { TEST_ENV, TEST_SECRET_KEY, call, freshDb, makeApp, type TestApp } from '../support/app.ts';
import { createMember, createTaskForce, sessionCookie } from '../support/factories.ts';
import { auditRows, request } from '../support/security/helpers.ts';

const EVIL = 'https://evil.example';
const STATE_CHANGING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** A concrete path for a route pattern (every :id becomes `id`; a session id is 16 hex). */
function concrete(url: string, id: string | number = 1): string {
  if (url === '/api/account/sessions/:id/revoke') return '/api/account/sessions/0123456789abcdef/revoke';
  return url.replace(/:id\b/g, String(id));
}

function stateChanging(app: TestApp['app']) {
  return app.routeList.filter((r) => STATE_CHANGING.has(r.method) && r.url.startsWith('/api/'));
}

/** An otherwise valid body for every route that has a body schema. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/auth/sign-in': { email: 'a@b.co', password: 'whatever it is' },
  'POST /api/auth/mfa': { code: '123456' },
  'POST /api/auth/password-reset/request': { email: 'a@b.co' },
  'POST /api/auth/password-reset': { token: 'abc', password: 'harbor lantern quilt meadow', code: '123456' },
  'POST /api/activation': { token: 'abc', password: 'harbor lantern quilt meadow' },
  'POST /api/setup': { token: 'abc', name: 'First Admin', email: 'admin@agency.example.gov', password: 'harbor lantern quilt' },
  'POST /api/onboarding/notice': { accept: true },
  'POST /api/account/mfa/confirm': { code: '123456' },
  'POST /api/account/mfa/disable': { password: 'harbor lantern quilt meadow' },
  'POST /api/account/mfa/recovery-codes': { password: 'harbor lantern quilt meadow' },
  'POST /api/account/password': { currentPassword: 'harbor lantern quilt', newPassword: 'copper falcon violet summit' },
  'POST /api/membership-requests': {
    fullName: 'Dana Whitfield',
    email: 'dana.whitfield@sheriff.example.gov',
    agency: 'Example County Sheriff',
    jobTitle: 'Detective',
    discipline: 'law_enforcement',
    taskForceId: null,
    supervisorName: 'Sgt. Lee Park',
    supervisorContact: 'lee.park@sheriff.example.gov',
    reason: 'I investigate labor trafficking cases.'
  },
  'POST /api/membership-requests/confirm': { token: 'abc' },
  'POST /api/membership-requests/respond': { token: 'abc', message: 'Here is the answer.' },
  'POST /api/admin/membership-requests/:id/decline': { reason: 'Not a task force member.' },
  'POST /api/admin/membership-requests/:id/request-info': { message: 'Which task force?' },
  'POST /api/admin/members/:id/role': { role: 'member', taskForceId: null },
  'POST /api/admin/members/:id/suspend': { reason: 'Left the agency' },
  'POST /api/admin/members/:id/extend-access': { until: '2030-01-01' },
  'POST /api/admin/task-forces': { name: 'Example Task Force', states: ['TX'], leadAgency: 'Example PD', grantEndsOn: null },
  'PATCH /api/admin/task-forces/:id': { name: 'Example Task Force', states: ['TX'], leadAgency: 'Example PD', grantEndsOn: null },
  'POST /api/admin/audit/export': { action: 'auth.sign_in' },
  'PATCH /api/admin/settings': { requireMfaForAll: false },
  // Routes whose body is empty: the schema still refuses anything in it.
  'POST /api/auth/sign-out': {},
  'POST /api/account/mfa/start': {},
  'POST /api/account/sessions/:id/revoke': {},
  'POST /api/account/sessions/revoke-all': {},
  'POST /api/admin/membership-requests/:id/review': {},
  'POST /api/admin/membership-requests/:id/approve': {},
  'POST /api/admin/members/:id/reinstate': {},
  'POST /api/admin/members/:id/unlock': {},
  // Discussions and search.
  'POST /api/discussions/categories/:id/threads': { title: 'A valid thread title', body: 'A valid body.' },
  'POST /api/discussions/categories/:id/notification-level': { level: 'watching' },
  'POST /api/discussions/threads/:id/posts': { body: 'A valid reply.' },
  'POST /api/discussions/threads/:id/read': { number: 1 },
  'POST /api/discussions/threads/:id/notification-level': { level: 'muted' },
  'PATCH /api/discussions/posts/:id': { body: 'An edited body.' },
  'POST /api/discussions/posts/:id/delete': {},
  'POST /api/discussions/posts/:id/reactions': { kind: 'thanks' },
  'POST /api/discussions/posts/:id/bookmark': { bookmarked: true },
  'POST /api/discussions/posts/:id/flag': { reason: 'off_topic', note: 'Belongs elsewhere.' },
  'POST /api/discussions/preview': { body: 'Preview **this**.' },
  'PUT /api/discussions/threads/:id/draft': { body: 'Half a reply' },
  'DELETE /api/discussions/threads/:id/draft': {},
  'PUT /api/discussions/categories/:id/draft': { title: 'Half a title', body: 'Half a thread' },
  'DELETE /api/discussions/categories/:id/draft': {},
  'POST /api/discussions/threads/:id/pin': { scope: 'category', until: null },
  'POST /api/discussions/threads/:id/lock': { locked: true },
  'POST /api/discussions/threads/:id/close': { closed: true },
  'POST /api/discussions/threads/:id/move': { categoryId: 2 },
  'POST /api/discussions/threads/:id/delete': {},
  'POST /api/discussions/threads/:id/restore': {},
  'POST /api/discussions/posts/:id/restore': {},
  'POST /api/moderation/posts/:id/decide': { outcome: 'dismiss', note: 'Fine as it is.' },
  'POST /api/moderation/posts/:id/purge': { replacement: 'Redacted text.' },
  'POST /api/admin/categories': {
    name: 'Example category',
    description: 'About practice.',
    position: 1,
    colour: '#1f5f8b',
    taskForceIds: [],
    disciplines: []
  },
  'PATCH /api/admin/categories/:id': {
    name: 'Example category',
    description: 'About practice.',
    position: 1,
    colour: '#1f5f8b',
    taskForceIds: [],
    disciplines: ['prosecution']
  },
  // Notifications.
  'POST /api/notifications/:id/read': {},
  'POST /api/notifications/read-all': { upTo: 1 },
  'PUT /api/notifications/preferences': { preferences: { reply: 'daily' } },
  // Resource library. The upload routes take multipart forms: their JSON body must be empty.
  'POST /api/resources': { title: 'A shared toolkit', type: 'toolkit', url: 'https://example.org/toolkit' },
  'POST /api/resources/check': { title: 'A shared toolkit', type: 'toolkit', kind: 'link' },
  'POST /api/resources/files': {},
  'POST /api/resources/watches': { tag: 'labor', watching: true },
  'PATCH /api/resources/:id': { title: 'A renamed resource' },
  'POST /api/resources/:id/delete': {},
  'POST /api/resources/:id/restore': {},
  'POST /api/resources/:id/versions': {},
  'POST /api/resources/:id/recommend': { recommended: true },
  'POST /api/resources/:id/report-broken-link': { note: 'Page not found.' },
  'POST /api/admin/resource-tags/merge': { from: 'labour', into: 'labor' },
  'POST /api/suggestions': { title: 'A suggestion for the board' },
  'PATCH /api/suggestions/:id': { title: 'A renamed suggestion' },
  'POST /api/suggestions/:id/vote': { vote: true },
  'POST /api/suggestions/:id/status': { status: 'planned', note: 'In the plan.' },
  'POST /api/suggestions/:id/delete': {},
  // Direct messages.
  'POST /api/messages': { to: 2, body: 'Hello there.' },
  'POST /api/messages/conversations/:id': { body: 'Hello again.' },
  'POST /api/messages/conversations/:id/read': { upTo: 1 },
  'POST /api/messages/:id/delete': {},
  'POST /api/messages/:id/flag': { reason: 'pii' },
  'POST /api/moderation/message-flags/:id': { outcome: 'dismiss' },
  // Directory and pictures. The image upload takes a multipart form: its JSON body must be empty.
  'PUT /api/profile': { jobTitle: 'Detective' },
  'POST /api/images': {},
  // Weekly spotlights.
  'POST /api/spotlights': { kind: 'practice', title: 'A promising practice', summary: 'Short.', body: 'Text.' },
  'PATCH /api/spotlights/:id': { summary: 'An edited summary.' },
  'POST /api/spotlights/preview': { body: 'A **preview**.' },
  'POST /api/spotlights/:id/delete': {},
  'POST /api/spotlights/:id/schedule': { week: '2026-02-02' },
  'POST /api/spotlights/:id/unschedule': {},
  'POST /api/spotlights/:id/consent': { revision: 1, decision: 'approve' }
};

/** A valid query for every GET route that has a querystring schema. */
const VALID_QUERIES: Record<string, string> = {
  'GET /api/auth/password-reset': 'token=abc',
  'GET /api/activation': 'token=abc',
  'GET /api/setup': 'token=abc',
  'GET /api/membership-requests/status': 'token=abc',
  'GET /api/admin/membership-requests': 'view=open',
  'GET /api/admin/members': 'status=active',
  'GET /api/admin/audit': 'limit=10',
  'GET /api/discussions/categories/:id/threads': 'limit=10',
  'GET /api/discussions/threads/latest': 'limit=10',
  'GET /api/discussions/threads/:id': 'from=1',
  'GET /api/discussions/bookmarks': 'limit=10',
  'GET /api/discussions/mention-candidates': 'q=a&threadId=1',
  'GET /api/moderation/flags': 'limit=10',
  'GET /api/search': 'q=practice',
  'GET /api/notifications': 'limit=10',
  'GET /api/ws': 'after=0',
  'GET /api/resources': 'sort=newest',
  'GET /api/resources/tags': 'q=lab',
  'GET /api/admin/resource-tags': 'limit=10',
  'GET /api/suggestions': 'sort=votes',
  'GET /api/suggestions/similar': 'q=training',
  'GET /api/messages/conversations': 'limit=10',
  'GET /api/messages/conversations/:id': 'limit=10',
  'GET /api/moderation/messages': 'limit=10',
  'GET /api/members': 'q=detective',
  'GET /api/directory/expertise': 'q=lab',
  'GET /api/spotlights': 'q=practice',
  'GET /api/spotlights/calendar': 'from=2026-01-05',
  'GET /api/spotlights/member-options': 'q=dana'
};
const NO_QUERY = new Set([
  'GET /api/health',
  'GET /api/me',
  'GET /api/account/sessions',
  'GET /api/admin/counts',
  'GET /api/admin/dashboard',
  'GET /api/ready',
  'GET /api/metrics',
  'GET /api/admin/membership-requests/:id',
  'GET /api/task-forces/options',
  'GET /api/admin/task-forces',
  'GET /api/admin/settings',
  'GET /api/discussions/categories',
  'GET /api/discussions/posts/:id',
  'GET /api/discussions/posts/:id/revisions',
  'GET /api/discussions/posts/:id/reactions',
  'GET /api/discussions/threads/:id/draft',
  'GET /api/discussions/categories/:id/draft',
  'GET /api/admin/categories',
  'GET /api/notifications/unread-count',
  'GET /api/notifications/preferences',
  'GET /api/resources/watches',
  'GET /api/resources/:id',
  'GET /api/resources/:id/download',
  'GET /api/resources/versions/:id/download',
  'GET /api/suggestions/:id',
  'GET /api/messages/to/:id',
  'GET /api/messages/:id',
  'GET /api/profile',
  'GET /api/members/:id',
  'GET /api/directory/options',
  'GET /api/images/:id',
  'GET /api/task-forces',
  'GET /api/task-forces/:id',
  'GET /api/spotlights/current',
  'GET /api/spotlights/consent-requests',
  'GET /api/spotlights/:id'
]);

describe('Origin check on every state-changing route', () => {
  it('refuses a foreign Origin and a missing one, with an admin session so nothing else answers first', async () => {
    t = await makeApp();
    const admin = await createMember(t, { role: 'admin' });
    const routes = stateChanging(t.app);
    expect(routes.length).toBeGreaterThan(20);
    const unexpected: string[] = [];
    for (const route of routes) {
      const body = VALID_BODIES[key(route)];
      for (const origin of [EVIL, null]) {
        const res = await request(t, route.method as 'POST', concrete(route.url), {
          cookie: sessionCookie(t, admin.id),
          origin,
          ...(body ? { body } : {})
        });
        if (res.statusCode !== 403 || !/Origin/.test(res.json().error?.message ?? '')) {
          unexpected.push(`${key(route)} origin=${origin}: ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
  });

  it('refuses look-alike origins and cross-site fetch metadata', async () => {
    t = await makeApp();
    const body = VALID_BODIES['POST /api/auth/sign-in'];
    const cases: { origin: string | null; headers?: Record<string, string> }[] = [
      { origin: 'null' },
      { origin: 'http://localhost:3000.evil.example' },
      { origin: 'https://localhost:3000' },
      { origin: 'http://localhost:3001' },
      { origin: 'http://LOCALHOST:3000/' },
      { origin: null, headers: { 'sec-fetch-site': 'cross-site' } },
      { origin: null, headers: { 'sec-fetch-site': 'same-site' } },
      { origin: null, headers: { 'sec-fetch-site': 'none' } },
      { origin: EVIL, headers: { 'sec-fetch-site': 'same-origin' } },
      { origin: null, headers: { referer: 'http://localhost:3000/sign-in' } }
    ];
    for (const c of cases) {
      const res = await request(t, 'POST', '/api/auth/sign-in', { body, ...c });
      expect(res.statusCode, JSON.stringify(c)).toBe(403);
    }
  });

  it('lets a same-origin request through: Origin of the site, or Sec-Fetch-Site: same-origin without Origin', async () => {
    t = await makeApp();
    const body = VALID_BODIES['POST /api/auth/sign-in'];
    const fetchMeta = await request(t, 'POST', '/api/auth/sign-in', {
      body,
      origin: null,
      headers: { 'sec-fetch-site': 'same-origin' }
    });
    expect(fetchMeta.statusCode).not.toBe(403);
    expect(fetchMeta.statusCode).toBe(401);
    const withOrigin = await request(t, 'POST', '/api/auth/sign-in', { body });
    expect(withOrigin.statusCode).toBe(401);
  });

  it('does not check Origin on GET', async () => {
    t = await makeApp();
    const res = await request(t, 'GET', '/api/health', { origin: EVIL });
    expect(res.statusCode).toBe(200);
  });
});

describe('schemas: unknown fields are refused', () => {
  it('every state-changing route has a row in the table of valid bodies', async () => {
    t = await makeApp();
    const missing = stateChanging(t.app)
      .map(key)
      .filter((k) => !(k in VALID_BODIES));
    expect(missing).toEqual([]);
    const stale = Object.keys(VALID_BODIES).filter((k) => !t.app.routeList.some((r) => key(r) === k));
    expect(stale).toEqual([]);
  });

  it('refuses an otherwise valid body plus {"unexpected": 1} on every route with a body schema, naming the field', async () => {
    t = await makeApp();
    const admin = await createMember(t, { role: 'admin' });
    const wrong: string[] = [];
    const withBody = stateChanging(t.app).filter((r) => key(r) in VALID_BODIES);
    expect(withBody).toHaveLength(Object.keys(VALID_BODIES).length);
    for (const route of withBody) {
      const res = await call(t.app, route.method as 'POST', concrete(route.url), {
        cookie: sessionCookie(t, admin.id),
        body: { ...VALID_BODIES[key(route)], unexpected: 1 }
      });
      const error = res.json().error;
      if (res.statusCode !== 400 || !/unexpected/.test(error?.message ?? '') || !error?.fields?.unexpected) {
        wrong.push(`${key(route)}: ${res.statusCode} ${res.body.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a POST with no payload at all is read as an empty body, not refused', async () => {
    t = await makeApp();
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    const res = await call(t.app, 'POST', '/api/account/sessions/revoke-all', { cookie });
    expect(res.statusCode).toBe(200);
    expect((await call(t.app, 'GET', '/api/me', { cookie })).statusCode).toBe(401);
  });

  it('every GET route is classified, and an unknown query parameter is refused where there is a schema', async () => {
    t = await makeApp();
    const admin = await createMember(t, { role: 'admin' });
    const gets = t.app.routeList.filter((r) => r.method === 'GET' && r.url.startsWith('/api/'));
    expect(gets.map(key).filter((k) => !(k in VALID_QUERIES) && !NO_QUERY.has(k))).toEqual([]);
    for (const route of gets.filter((r) => key(r) in VALID_QUERIES)) {
      const res = await call(t.app, 'GET', `${concrete(route.url)}?${VALID_QUERIES[key(route)]}&unexpected=1`, {
        cookie: sessionCookie(t, admin.id)
      });
      expect(res.statusCode, key(route)).toBe(400);
      expect(res.json().error.message, key(route)).toMatch(/unexpected/);
    }
    for (const route of gets.filter((r) => NO_QUERY.has(key(r)))) {
      const res = await call(t.app, 'GET', `${concrete(route.url)}?unexpected=1`, { cookie: sessionCookie(t, admin.id) });
      expect(res.json().error?.fields?.unexpected, key(route)).toBeUndefined();
    }
  });

  it('mass assignment: a role or status in a body is refused, not applied', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const res = await call(t.app, 'POST', '/api/account/password', {
      cookie: sessionCookie(t, m.id),
      body: { currentPassword: m.password, newPassword: 'copper falcon violet summit', role: 'admin' }
    });
    expect(res.statusCode).toBe(400);
    const me = await call(t.app, 'GET', '/api/me', { cookie: sessionCookie(t, m.id) });
    expect(me.json().member.role).toBe('member');
  });
});

describe('prototype pollution', () => {
  const raw = (t: TestApp, payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      payload
    });

  it('refuses __proto__ and constructor.prototype in a JSON body, and pollutes nothing', async () => {
    t = await makeApp();
    const proto = await raw(t, '{"email":"a@b.co","password":"x","__proto__":{"polluted":true}}');
    expect(proto.statusCode).toBe(400);
    expect(proto.json().error.message).toBeTruthy();
    const ctor = await raw(t, '{"email":"a@b.co","password":"x","constructor":{"prototype":{"polluted":true}}}');
    expect(ctor.statusCode).toBe(400);
    expect(ctor.json().error.message).toBeTruthy();
    const nested = await raw(t, '{"email":"a@b.co","password":"x","x":{"__proto__":{"polluted":true}}}');
    expect(nested.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('security headers', () => {
  function expectHeaders(res: { headers: Record<string, unknown> }, label: string) {
    expect(res.headers['x-content-type-options'], label).toBe('nosniff');
    expect(res.headers['referrer-policy'], label).toMatch(/no-referrer|same-origin|strict-origin/);
    const csp = String(res.headers['content-security-policy'] ?? '');
    expect(csp, label).toContain("frame-ancestors 'none'");
    expect(csp, label).toContain("object-src 'none'");
    expect(csp, label).toContain("base-uri 'none'");
    expect(String(res.headers['cache-control']), label).toContain('no-store');
  }

  it('are on every kind of API reply, without HSTS over http', async () => {
    t = await makeApp();
    const samples = {
      health: await call(t.app, 'GET', '/api/health'),
      'me 401': await call(t.app, 'GET', '/api/me'),
      '404': await call(t.app, 'GET', '/api/no-such-route'),
      '400': await call(t.app, 'POST', '/api/auth/sign-in', { body: {} }),
      '403 origin': await call(t.app, 'POST', '/api/auth/sign-in', { body: {}, origin: EVIL }),
      '401 sign-in': await call(t.app, 'POST', '/api/auth/sign-in', { body: { email: 'a@b.co', password: 'x' } })
    };
    expect(samples.health.statusCode).toBe(200);
    expect(samples['me 401'].statusCode).toBe(401);
    expect(samples['404'].statusCode).toBe(404);
    expect(samples['400'].statusCode).toBe(400);
    expect(samples['403 origin'].statusCode).toBe(403);
    for (const [label, res] of Object.entries(samples)) {
      expectHeaders(res, label);
      expect(res.headers['strict-transport-security'], label).toBeUndefined();
    }
  });

  it('include HSTS when the public origin is https', async () => {
    t = await makeApp({ env: { PUBLIC_ORIGIN: 'https://connect.example.gov' } });
    for (const res of [await call(t.app, 'GET', '/api/health'), await call(t.app, 'GET', '/api/me')]) {
      expectHeaders(res, 'https');
      const hsts = String(res.headers['strict-transport-security'] ?? '');
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
    }
  });
});

describe('client address', () => {
  it('ignores X-Forwarded-For by default: the audit row and the throttle use the socket address', async () => {
    t = await makeApp();
    const m = await createMember(t);
    const res = await request(t, 'POST', '/api/auth/sign-in', {
      body: { email: m.email, password: 'wrong password entirely' },
      headers: { 'x-forwarded-for': '203.0.113.9' },
      ip: '192.0.2.10'
    });
    expect(res.statusCode).toBe(401);
    expect(auditRows(t, 'auth.sign_in_failed').map((r) => r.ip)).toEqual(['192.0.2.10']);

    // Rotating the spoofed header does not escape the per-IP throttle.
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const r = await request(t, 'POST', '/api/auth/sign-in', {
        body: { email: `n${i}@agency.example.gov`, password: 'x' },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
        ip: '192.0.2.10'
      });
      last = r.statusCode;
    }
    expect(last).toBe(429);
  });

  it('believes X-Forwarded-For with TRUST_PROXY=true', async () => {
    t = await makeApp({ env: { TRUST_PROXY: 'true' } });
    const m = await createMember(t);
    await request(t, 'POST', '/api/auth/sign-in', {
      body: { email: m.email, password: 'wrong password entirely' },
      headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
      ip: '10.0.0.1'
    });
    expect(auditRows(t, 'auth.sign_in_failed').map((r) => r.ip)).toEqual(['203.0.113.9']);
  });
});

describe('errors', () => {
  it('a thrown error is a 500 with a generic body and a reference; the log has the details', async () => {
    const db = freshDb();
    const clock = new FakeClock();
    const config = loadConfig(TEST_ENV);
    const lines: string[] = [];
    const app = await buildApp({
      db,
      config,
      clock,
      secretKey: TEST_SECRET_KEY,
      mailer: new OutboxMailer(db, clock, () => {}),
      logger: { level: 'error', stream: { write: (line: string) => lines.push(line) } }
    });
    app.get('/api/boom', { config: { access: 'public' } }, async () => {
      throw new Error('SELECT secret FROM x');
    });
    await app.ready();
    try {
      const res = await app.inject({ method: 'GET', url: '/api/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const body = res.json();
      expect(body.error.code).toBe('internal');
      const ref = /Reference: (\S+)/.exec(body.error.message)?.[1];
      expect(ref).toMatch(/^[a-z2-7]{6,}$/);
      expect(res.body).not.toMatch(/SELECT|secret|stack|\.ts:|at /);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const logged = lines.map((l) => JSON.parse(l) as { reqId?: string; err?: { message?: string; stack?: string } });
      const entry = logged.find((l) => l.err?.message === 'SELECT secret FROM x');
      expect(entry).toBeDefined();
      expect(entry!.reqId).toBe(ref);
      expect(entry!.err!.stack).toBeTruthy();
    } finally {
      await app.close();
      db.$client.close();
    }
  });

  it('an unknown /api route is a JSON 404', async () => {
    t = await makeApp();
    for (const method of ['GET', 'POST'] as const) {
      const res = await call(t.app, method, '/api/does-not-exist', method === 'POST' ? { body: {} } : {});
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.json().error).toMatchObject({ code: 'not_found' });
      expect(res.json().error.message).toMatch(/does-not-exist/);
    }
  });

  it('a body over 256 KiB is a JSON 413', async () => {
    t = await makeApp();
    const res = await call(t.app, 'POST', '/api/auth/sign-in', {
      body: { email: 'a@b.co', password: 'x'.repeat(257 * 1024) }
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json().error.message).toMatch(/too large/i);
  });

  it('invalid JSON is a 400 with a clear message', async () => {
    t = await makeApp();
    for (const payload of ['{"email":', 'not json', '']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
        payload
      });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error.message, payload).toMatch(/not valid JSON/);
    }
  });

  it('a wrong content type is refused with a JSON 4xx', async () => {
    t = await makeApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      headers: { origin: 'http://localhost:3000', 'content-type': 'text/xml' },
      payload: '<email>a@b.co</email>'
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toBeTruthy();
  });
});

describe('GET never changes state', () => {
  function snapshot(db: TestApp['db']): Record<string, unknown[]> {
    const tables = db.$client
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'audit_log' ORDER BY name")
      .all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.$client.prepare(`SELECT * FROM "${name}"`).all()]));
  }

  it('a crawl of every GET route, as admin and signed out, leaves every table as it was', async () => {
    t = await makeApp();
    const tf = createTaskForce(t);
    const admin = await createMember(t, { role: 'admin' });
    const member = await createMember(t, { taskForceId: tf.id });
    const applicant = (n: number) => ({
      ...VALID_BODIES['POST /api/membership-requests'],
      email: `applicant${n}@pd.example.gov`
    });
    for (const n of [1, 2]) {
      expect((await call(t.app, 'POST', '/api/membership-requests', { body: applicant(n) })).statusCode).toBe(202);
    }
    await t.deps.bus.idle();
    const statusTokens: string[] = [];
    for (const n of [1, 2]) {
      const token = t.linkFor(`applicant${n}@pd.example.gov`, '/request-access/confirm');
      statusTokens.push((await call(t.app, 'POST', '/api/membership-requests/confirm', { body: { token } })).json().statusToken);
    }
    const adminCookie = sessionCookie(t, admin.id);
    const requests = (await call(t.app, 'GET', '/api/admin/membership-requests', { cookie: adminCookie })).json().requests;
    expect(requests).toHaveLength(2);
    const approved = requests.find((r: { email: string }) => r.email === 'applicant2@pd.example.gov').id;
    expect(
      (await call(t.app, 'POST', `/api/admin/membership-requests/${approved}/approve`, { cookie: adminCookie })).statusCode
    ).toBe(200);
    await call(t.app, 'POST', '/api/auth/password-reset/request', { body: { email: member.email } });
    await t.deps.bus.idle();
    const activationToken = t.linkFor('applicant2@pd.example.gov', '/activate');
    const resetToken = t.linkFor(member.email, '/reset-password');
    const openId = requests.find((r: { email: string }) => r.email === 'applicant1@pd.example.gov').id;
    // Discussions: a category, a thread and its opening post carrying the same id as the open request
    // (every :id in a crawled path is that id).
    const forum = await call(t.app, 'POST', '/api/admin/categories', {
      cookie: adminCookie,
      body: VALID_BODIES['POST /api/admin/categories']
    });
    const thread = await call(t.app, 'POST', `/api/discussions/categories/${forum.json().id}/threads`, {
      cookie: adminCookie,
      body: { title: 'Practice questions for the crawl', body: 'Practice makes perfect.' }
    });
    expect([forum.json().id, thread.json().threadId, thread.json().postId]).toEqual([openId, openId, openId]);

    const queries: Record<string, string> = {
      'GET /api/auth/password-reset': `token=${resetToken}`,
      'GET /api/activation': `token=${activationToken}`,
      'GET /api/setup': 'token=abc',
      'GET /api/membership-requests/status': `token=${statusTokens[0]}`,
      'GET /api/admin/membership-requests': 'view=decided',
      'GET /api/admin/members': 'status=active&q=Member',
      'GET /api/admin/audit': 'limit=50',
      'GET /api/discussions/mention-candidates': `q=a&threadId=${openId}`,
      'GET /api/search': 'q=practice',
      'GET /api/directory/expertise': 'q=lab',
      'GET /api/suggestions/similar': 'q=practice'
    };
    // The set-up link is refused once an admin exists; the socket wants an upgrade (426); every other GET must really answer;
    // /api/metrics does not exist without METRICS_TOKEN (404).
    const expected: Record<string, number> = { 'GET /api/setup': 410, 'GET /api/ws': 426, 'GET /api/metrics': 404 };
    // This world has no resources (404). Resource GETs are crawled over a library in resources-library.test.ts,
    // where downloads are the one documented exception: they count and audit (SECURITY.md, audit log).
    for (const route of [
      'GET /api/resources/:id',
      'GET /api/resources/:id/download',
      'GET /api/resources/versions/:id/download'
    ]) {
      expected[route] = 404;
    }
    // No conversation or message has this id (404); a crawl over messages is in tests/api/messages-read.test.ts.
    for (const route of ['GET /api/messages/conversations/:id', 'GET /api/messages/:id']) expected[route] = 404;
    // No picture has been uploaded (404); pictures are served in tests/api/images.test.ts.
    expected['GET /api/images/:id'] = 404;
    // No spotlight has this id (404); spotlights are read in tests/api/spotlights-publish.test.ts.
    expected['GET /api/spotlights/:id'] = 404;
    // No suggestion has this id (404); suggestions are read in tests/api/suggestions-board.test.ts.
    expected['GET /api/suggestions/:id'] = 404;
    const memberCookie = sessionCookie(t, member.id);
    const before = snapshot(t.db);
    const seen: string[] = [];
    const gets = t.app.routeList.filter((r) => r.method === 'GET' && r.url.startsWith('/api/'));
    for (const route of gets) {
      const url = `${concrete(route.url, openId)}${queries[key(route)] ? `?${queries[key(route)]}` : ''}`;
      const asAdmin = await call(t.app, 'GET', url, { cookie: adminCookie });
      expect(asAdmin.statusCode, key(route)).toBe(expected[key(route)] ?? 200);
      const asMember = await call(t.app, 'GET', url, { cookie: memberCookie });
      expect(asMember.statusCode, key(route)).toBeLessThan(500);
      const anonymous = await call(t.app, 'GET', url);
      expect(anonymous.statusCode, key(route)).toBeLessThan(500);
      const head = await t.app.inject({ method: 'HEAD', url, headers: { cookie: adminCookie } });
      expect(head.statusCode, key(route)).toBe(expected[key(route)] ?? 200);
      seen.push(key(route));
    }
    expect(seen.length).toBeGreaterThanOrEqual(15);
    const after = snapshot(t.db);
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    expect(Object.keys(after)).toEqual(Object.keys(before));
  });
});
