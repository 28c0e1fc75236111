import type { RouteAccess } from '../../server/policies/index.ts';
import { MATRIX_NAMES, type MatrixForum } from '../support/discussions.ts';
import { LIBRARY_TAGS, LIBRARY_TITLES, type MatrixLibrary } from '../support/resourceMatrix.ts';
import { PASSWORD } from '../support/factories.ts';
import type { TestApp } from '../support/app.ts';
import { imageRows } from './rows/images.ts';
import { directoryRows } from './rows/directory.ts';
import { messageRows } from './rows/messages.ts';
import { spotlightRows } from './rows/spotlights.ts';
import { suggestionRows } from './rows/suggestions.ts';

/**
 * The authorization matrix (SECURITY.md, "Authorization"): every API route × every kind of caller.
 * This table is the spec; matrix.test.ts checks the app against it, cell by cell.
 */

/** Who calls. Suspended, expired and disabled callers are admins, so a leak would show at its worst. */
export const ROLES = [
  'anonymous',
  'pending',
  'member',
  'coordinator',
  'moderator',
  'editor',
  'admin',
  'suspended',
  'expired',
  'disabled'
] as const;
export type Role = (typeof ROLES)[number];

/**
 * allow: not 401/403 (a 400 still means the gate let the caller through).
 * deny: 401 or 403 (or 404 on rows marked hidesAs404).
 * own: allowed on an object of the coordinator's own task force, denied on another task force's.
 */
export type Expectation = 'allow' | 'deny' | 'own';

/** Which object an object-level row is tried on: 'own' names task force A (the coordinator's), 'other' task force B. */
export type Target = 'own' | 'other';

/** The objects every cell's fresh app holds (built by the runner). */
export interface World {
  taskForceA: number;
  taskForceB: number;
  /** Open (submitted) membership requests naming task force A and B. */
  requestA: number;
  requestB: number;
  /** An active member who is not the caller. */
  otherMemberId: number;
  /** An active member without MFA whose password signs straight in. */
  signerEmail: string;
  /** A staff member half-way through sign-in: the challenge cookie and a fresh TOTP code. */
  mfaChallenge(): Promise<{ cookie: string; code: string }>;
  /**
   * Discussions, built on first use: a public category and one private to each task force, each with a
   * thread (opening post by an admin, a reply by a member of that task force).
   */
  forum(): Promise<MatrixForum>;
  /** A reply written by this member in the thread of task force A's (own) or B's (other) private category. */
  postBy(memberId: number, target: Target): Promise<number>;
  /** The resource library, built on first use (tests/support/resourceMatrix.ts). */
  library(): Promise<MatrixLibrary>;
  /** The cell's app, for fixtures a row builds itself (memoize them per app, e.g. in a WeakMap keyed by t). */
  t: TestApp;
}

/** What a cell sends: route params, query, body, and any cookie besides the caller's session. */
export interface Send {
  params?: Record<string, string | number>;
  query?: Record<string, string>;
  body?: unknown;
  cookie?: string;
}

export interface Row {
  /** 'METHOD /api/path' exactly as the app registers it. */
  route: string;
  /** The access the route must declare (config.access). */
  access: RouteAccess;
  expect: Record<Role, Expectation>;
  /** Object-level rows try every role on task force A's object and on B's. */
  objectLevel?: boolean;
  /** callerId: the calling member (null when anonymous), for rows about the caller's own objects. */
  send?: (w: World, target: Target, callerId: number | null) => Send | Promise<Send>;
  /** Why an allowed call may answer 404 here (otherwise a 404 means the row's fixture is wrong). */
  allows404?: string;
  /** The route answers 404, not 403, for an object the caller may not see (so as not to reveal it): 404 counts as deny. */
  hidesAs404?: boolean;
  /** Side doors: what an allowed caller sees. Returns a problem, or null. */
  inspect?: (role: Role, body: unknown, w: World) => string | null;
}

export function only(...allowed: Role[]): Record<Role, Expectation> {
  return Object.fromEntries(ROLES.map((r) => [r, allowed.includes(r) ? 'allow' : 'deny'])) as Record<Role, Expectation>;
}

export const EVERYONE = only(...ROLES);
/** A session that is pending (mid-activation) or active. */
export const SIGNED_IN = only('pending', 'member', 'coordinator', 'moderator', 'editor', 'admin');
/** Active, activation finished, any role. */
export const ACTIVE = only('member', 'coordinator', 'moderator', 'editor', 'admin');
export const STAFF = only('coordinator', 'moderator', 'editor', 'admin');
export const REVIEWERS = only('coordinator', 'admin');
export const REVIEWERS_OWN: Record<Role, Expectation> = { ...only('admin'), coordinator: 'own' };
export const ADMIN = only('admin');
/** Moderators and admins moderate discussions. */
export const MODERATORS = only('moderator', 'admin');
/**
 * Discussions tried on task force A's private category ('own': the coordinator is in A) and on B's:
 * moderators and admins read both; the coordinator only A's; a member, an editor (in no task force) neither.
 */
export const READERS_OWN: Record<Role, Expectation> = { ...MODERATORS, coordinator: 'own' };

/** Routes anyone may call. Anything else declared 'public' fails the matrix test. */
export const PUBLIC_ROUTES = [
  'POST /api/auth/sign-in',
  'POST /api/auth/mfa',
  'POST /api/auth/sign-out',
  'POST /api/auth/password-reset/request',
  'GET /api/auth/password-reset',
  'POST /api/auth/password-reset',
  'POST /api/membership-requests',
  'POST /api/membership-requests/confirm',
  'GET /api/membership-requests/status',
  'POST /api/membership-requests/respond',
  'GET /api/activation',
  'POST /api/activation',
  'GET /api/setup',
  'POST /api/setup',
  'GET /api/health',
  'GET /api/ready',
  'GET /api/metrics',
  'GET /api/task-forces/options'
] as const;

const NEW_PASSWORD = 'quiet harbor thistle meadow';
const UNKNOWN_TOKEN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const requestOf = (w: World, target: Target) => ({ id: target === 'own' ? w.requestA : w.requestB });
const ids = (body: unknown) => ((body as { requests?: { id: number }[] }).requests ?? []).map((r) => r.id);

const taskForceBody = {
  name: 'Fictional Matrix Task Force',
  states: ['TX'],
  leadAgency: 'Example County Sheriff',
  grantEndsOn: null
};

export const matrix: Row[] = [
  // Public: sign-in and its neighbours, asking to join, activation, first set-up.
  {
    route: 'POST /api/auth/sign-in',
    access: 'public',
    expect: EVERYONE,
    send: (w) => ({ body: { email: w.signerEmail, password: PASSWORD } })
  },
  {
    route: 'POST /api/auth/mfa',
    access: 'public',
    expect: EVERYONE,
    send: async (w) => {
      const { cookie, code } = await w.mfaChallenge();
      return { cookie, body: { code } };
    }
  },
  { route: 'POST /api/auth/sign-out', access: 'public', expect: EVERYONE },
  {
    route: 'POST /api/auth/password-reset/request',
    access: 'public',
    expect: EVERYONE,
    send: (w) => ({ body: { email: w.signerEmail } })
  },
  {
    route: 'GET /api/auth/password-reset',
    access: 'public',
    expect: EVERYONE,
    send: () => ({ query: { token: UNKNOWN_TOKEN } })
  },
  {
    route: 'POST /api/auth/password-reset',
    access: 'public',
    expect: EVERYONE,
    send: () => ({ body: { token: UNKNOWN_TOKEN, password: NEW_PASSWORD } })
  },
  {
    route: 'POST /api/membership-requests',
    access: 'public',
    expect: EVERYONE,
    send: (w) => ({
      body: {
        fullName: 'Jordan Applicant',
        email: 'jordan.applicant@sheriff.example.gov',
        agency: 'Example County Sheriff',
        jobTitle: 'Detective',
        discipline: 'law_enforcement',
        taskForceId: w.taskForceA,
        supervisorName: 'Sgt. Lee Park',
        supervisorContact: 'lee.park@sheriff.example.gov',
        reason: 'I investigate labor trafficking cases and want to learn from peers.'
      }
    })
  },
  {
    route: 'POST /api/membership-requests/confirm',
    access: 'public',
    expect: EVERYONE,
    send: () => ({ body: { token: UNKNOWN_TOKEN } })
  },
  {
    route: 'GET /api/membership-requests/status',
    access: 'public',
    expect: EVERYONE,
    allows404: 'an unknown status link answers 404',
    send: () => ({ query: { token: UNKNOWN_TOKEN } })
  },
  {
    route: 'POST /api/membership-requests/respond',
    access: 'public',
    expect: EVERYONE,
    allows404: 'an unknown status link answers 404',
    send: () => ({ body: { token: UNKNOWN_TOKEN, message: 'My unit is the labor trafficking squad.' } })
  },
  { route: 'GET /api/activation', access: 'public', expect: EVERYONE, send: () => ({ query: { token: UNKNOWN_TOKEN } }) },
  {
    route: 'POST /api/activation',
    access: 'public',
    expect: EVERYONE,
    send: () => ({ body: { token: UNKNOWN_TOKEN, password: NEW_PASSWORD } })
  },
  { route: 'GET /api/setup', access: 'public', expect: EVERYONE, send: () => ({ query: { token: UNKNOWN_TOKEN } }) },
  {
    route: 'POST /api/setup',
    access: 'public',
    expect: EVERYONE,
    send: () => ({
      body: { token: UNKNOWN_TOKEN, name: 'First Admin', email: 'first.admin@doj.example.gov', password: NEW_PASSWORD }
    })
  },
  { route: 'GET /api/health', access: 'public', expect: EVERYONE },
  { route: 'GET /api/ready', access: 'public', expect: EVERYONE },
  // Guarded by METRICS_TOKEN, not a session; with no token configured (as here) it does not exist.
  {
    route: 'GET /api/metrics',
    access: 'public',
    expect: EVERYONE,
    allows404: 'no METRICS_TOKEN is configured, so the route answers 404 to everyone'
  },
  { route: 'GET /api/task-forces/options', access: 'public', expect: EVERYONE },

  // Any session, even mid-activation: who am I, and the activation steps.
  { route: 'GET /api/me', access: 'session', expect: SIGNED_IN },
  { route: 'POST /api/onboarding/notice', access: 'session', expect: SIGNED_IN, send: () => ({ body: { accept: true } }) },
  { route: 'POST /api/account/mfa/start', access: 'session', expect: SIGNED_IN },
  { route: 'POST /api/account/mfa/confirm', access: 'session', expect: SIGNED_IN, send: () => ({ body: { code: '000000' } }) },

  // Own account: active members only.
  {
    route: 'POST /api/account/mfa/disable',
    access: 'account.manage',
    expect: ACTIVE,
    send: () => ({ body: { password: PASSWORD } })
  },
  {
    route: 'POST /api/account/mfa/recovery-codes',
    access: 'account.manage',
    expect: ACTIVE,
    send: () => ({ body: { password: PASSWORD } })
  },
  {
    route: 'POST /api/account/password',
    access: 'account.manage',
    expect: ACTIVE,
    send: () => ({ body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })
  },
  { route: 'GET /api/account/sessions', access: 'account.manage', expect: ACTIVE },
  {
    route: 'POST /api/account/sessions/:id/revoke',
    access: 'account.manage',
    expect: ACTIVE,
    allows404: 'the session id names none of the caller’s sessions',
    send: () => ({ params: { id: '0000000000000000' } })
  },
  { route: 'POST /api/account/sessions/revoke-all', access: 'account.manage', expect: ACTIVE },

  // Staff.
  {
    route: 'GET /api/admin/dashboard',
    access: 'staff.view',
    expect: STAFF,
    // Each part for the roles it concerns (server/policies/dashboard.ts); a coordinator counts their own task force.
    inspect: (role, body) => {
      const b = body as Record<string, { pendingRequests?: number } | null>;
      const parts = ['membership', 'activity', 'moderation', 'system'].filter((k) => b[k] !== null && b[k] !== undefined);
      const want = {
        coordinator: ['membership'],
        moderator: ['activity', 'moderation'],
        editor: ['activity'],
        admin: ['membership', 'activity', 'moderation', 'system']
      }[role as 'admin'];
      if (JSON.stringify(parts) !== JSON.stringify(want)) return `parts ${parts.join(', ')}, expected ${want?.join(', ')}`;
      const pending = b.membership?.pendingRequests;
      if (role === 'admin' && pending !== 2) return `pendingRequests ${String(pending)}, expected 2`;
      if (role === 'coordinator' && pending !== 1) return `pendingRequests ${String(pending)}, expected 1`;
      return null;
    }
  },
  {
    route: 'GET /api/admin/counts',
    access: 'staff.view',
    expect: STAFF,
    // Coordinators count their own task force's requests only; other staff review none.
    inspect: (role, body) => {
      const n = (body as { pendingRequests?: number }).pendingRequests;
      const want = role === 'admin' ? 2 : role === 'coordinator' ? 1 : 0;
      return n === want ? null : `pendingRequests ${String(n)}, expected ${want}`;
    }
  },

  // Membership review: admins every request, a coordinator those naming their task force.
  {
    route: 'GET /api/admin/membership-requests',
    access: 'membership.review',
    expect: REVIEWERS,
    inspect: (role, body, w) => {
      const seen = ids(body).sort();
      const want = role === 'admin' ? [w.requestA, w.requestB].sort() : [w.requestA];
      return JSON.stringify(seen) === JSON.stringify(want)
        ? null
        : `queue lists requests ${JSON.stringify(seen)}, expected ${JSON.stringify(want)}`;
    }
  },
  {
    route: 'GET /api/admin/membership-requests/:id',
    access: 'membership.review',
    expect: REVIEWERS_OWN,
    objectLevel: true,
    send: (w, target) => ({ params: requestOf(w, target) })
  },
  {
    route: 'POST /api/admin/membership-requests/:id/review',
    access: 'membership.review',
    expect: REVIEWERS_OWN,
    objectLevel: true,
    send: (w, target) => ({ params: requestOf(w, target) })
  },
  {
    route: 'POST /api/admin/membership-requests/:id/approve',
    access: 'membership.review',
    expect: REVIEWERS_OWN,
    objectLevel: true,
    send: (w, target) => ({ params: requestOf(w, target) })
  },
  {
    route: 'POST /api/admin/membership-requests/:id/decline',
    access: 'membership.review',
    expect: REVIEWERS_OWN,
    objectLevel: true,
    send: (w, target) => ({ params: requestOf(w, target), body: { reason: 'Not a member of a funded task force.' } })
  },
  {
    route: 'POST /api/admin/membership-requests/:id/request-info',
    access: 'membership.review',
    expect: REVIEWERS_OWN,
    objectLevel: true,
    send: (w, target) => ({ params: requestOf(w, target), body: { message: 'Which unit do you work in?' } })
  },

  // Program administration: admins alone.
  { route: 'GET /api/admin/members', access: 'members.manage', expect: ADMIN },
  {
    route: 'POST /api/admin/members/:id/role',
    access: 'members.manage',
    expect: ADMIN,
    send: (w) => ({ params: { id: w.otherMemberId }, body: { role: 'moderator' } })
  },
  {
    route: 'POST /api/admin/members/:id/suspend',
    access: 'members.manage',
    expect: ADMIN,
    send: (w) => ({ params: { id: w.otherMemberId }, body: { reason: 'Left the agency.' } })
  },
  {
    route: 'POST /api/admin/members/:id/reinstate',
    access: 'members.manage',
    expect: ADMIN,
    send: (w) => ({ params: { id: w.otherMemberId } })
  },
  {
    route: 'POST /api/admin/members/:id/unlock',
    access: 'members.manage',
    expect: ADMIN,
    send: (w) => ({ params: { id: w.otherMemberId } })
  },
  {
    route: 'POST /api/admin/members/:id/extend-access',
    access: 'members.manage',
    expect: ADMIN,
    send: (w) => ({ params: { id: w.otherMemberId }, body: { until: '2027-06-30' } })
  },
  { route: 'GET /api/admin/task-forces', access: 'taskForces.manage', expect: ADMIN },
  { route: 'POST /api/admin/task-forces', access: 'taskForces.manage', expect: ADMIN, send: () => ({ body: taskForceBody }) },
  {
    route: 'PATCH /api/admin/task-forces/:id',
    access: 'taskForces.manage',
    expect: ADMIN,
    send: (w) => ({ params: { id: w.taskForceB }, body: { ...taskForceBody, name: 'Renamed Fictional Task Force' } })
  },
  { route: 'GET /api/admin/audit', access: 'audit.view', expect: ADMIN },
  { route: 'POST /api/admin/audit/export', access: 'audit.view', expect: ADMIN, send: () => ({ body: {} }) },
  { route: 'GET /api/admin/settings', access: 'settings.manage', expect: ADMIN },
  {
    route: 'PATCH /api/admin/settings',
    access: 'settings.manage',
    expect: ADMIN,
    send: () => ({ body: { requireMfaForAll: false } })
  },

  // Notifications: each active member's own (the services only ever touch the caller's rows).
  { route: 'GET /api/notifications', access: 'notifications.use', expect: ACTIVE },
  { route: 'GET /api/notifications/unread-count', access: 'notifications.use', expect: ACTIVE },
  {
    route: 'POST /api/notifications/:id/read',
    access: 'notifications.use',
    expect: ACTIVE,
    allows404: 'a fresh caller has no notification of their own; another member’s id answers 404',
    send: () => ({ params: { id: 1 } })
  },
  { route: 'POST /api/notifications/read-all', access: 'notifications.use', expect: ACTIVE, send: () => ({ body: {} }) },
  { route: 'GET /api/notifications/preferences', access: 'notifications.use', expect: ACTIVE },
  {
    route: 'PUT /api/notifications/preferences',
    access: 'notifications.use',
    expect: ACTIVE,
    send: () => ({ body: { preferences: { reply: 'daily' } } })
  },
  // The live socket: without an upgrade an allowed caller gets 426; the handshake itself is tested in realtime-handshake.
  { route: 'GET /api/ws', access: 'notifications.use', expect: ACTIVE },

  // Discussions: every active member may call; what they reach is the read rule (404 outside it).
  ...discussionRows(),

  // The resource library: the same read rule as private categories (404 outside it).
  ...resourceRows(),

  // Issue 6: each feature's rows live in tests/policies/rows/ (functions only: they import from this module).
  ...imageRows(),
  ...directoryRows(),
  ...messageRows(),
  ...spotlightRows(),
  ...suggestionRows()
];

/** Which matrix categories a role sees (by name) in lists and search. */
function readableNames(role: Role): string[] {
  if (role === 'moderator' || role === 'admin') return [MATRIX_NAMES.public, MATRIX_NAMES.own, MATRIX_NAMES.other];
  if (role === 'coordinator') return [MATRIX_NAMES.public, MATRIX_NAMES.own];
  return [MATRIX_NAMES.public];
}

function sameNames(seen: string[], role: Role, what: string): string | null {
  const want = readableNames(role);
  const got = [...new Set(seen)].sort();
  return JSON.stringify(got) === JSON.stringify([...want].sort())
    ? null
    : `${what} shows ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
}

const categoryBody = {
  name: 'Matrix renamed category',
  description: 'Practice questions.',
  position: 1,
  colour: '#1f5f8b',
  taskForceIds: [],
  disciplines: []
};

function discussionRows(): Row[] {
  const forum = (w: World) => w.forum();
  /** An object-level row on task force A's or B's private category, thread or post. */
  const onObject = (route: string, send: Row['send']): Row => ({
    route,
    access: 'discussions.use',
    expect: READERS_OWN,
    objectLevel: true,
    hidesAs404: true,
    send
  });
  const onCategory = (route: string, body?: unknown): Row =>
    onObject(route, async (w, target) => ({ params: { id: (await forum(w)).category[target] }, ...(body ? { body } : {}) }));
  const onThread = (route: string, body?: unknown): Row =>
    onObject(route, async (w, target) => ({ params: { id: (await forum(w)).thread[target] }, ...(body ? { body } : {}) }));
  const onPost = (route: string, body?: unknown): Row =>
    onObject(route, async (w, target) => ({ params: { id: (await forum(w)).post[target] }, ...(body ? { body } : {}) }));
  /** The caller's own post (edit, delete, revisions); anonymous callers try someone else's. */
  const onOwnPost = (route: string, body?: unknown): Row =>
    onObject(route, async (w, target, callerId) => ({
      params: { id: callerId === null ? (await forum(w)).post[target] : await w.postBy(callerId, target) },
      ...(body ? { body } : {})
    }));
  const moderated = (route: string, body?: unknown, on: 'thread' | 'post' = 'thread'): Row => ({
    route,
    access: 'discussions.moderate',
    expect: MODERATORS,
    send: async (w) => ({ params: { id: (await forum(w))[on].own }, ...(body ? { body } : {}) })
  });

  return [
    {
      route: 'GET /api/discussions/categories',
      access: 'discussions.use',
      expect: ACTIVE,
      send: async (w) => (await forum(w), {}),
      inspect: (role, body) =>
        sameNames(
          ((body as { categories?: { name: string }[] }).categories ?? []).map((c) => c.name),
          role,
          'the category list'
        )
    },
    onCategory('GET /api/discussions/categories/:id/threads'),
    onCategory('POST /api/discussions/categories/:id/threads', { title: 'A matrix thread title', body: 'A matrix body.' }),
    onCategory('POST /api/discussions/categories/:id/notification-level', { level: 'watching' }),
    onCategory('GET /api/discussions/categories/:id/draft'),
    onCategory('PUT /api/discussions/categories/:id/draft', { title: 'Draft title', body: 'Draft body' }),
    onCategory('DELETE /api/discussions/categories/:id/draft'),
    {
      route: 'GET /api/discussions/threads/latest',
      access: 'discussions.use',
      expect: ACTIVE,
      send: async (w) => (await forum(w), {}),
      inspect: (role, body) =>
        sameNames(
          ((body as { threads?: { category: { name: string } }[] }).threads ?? []).map((th) => th.category.name),
          role,
          'the latest threads'
        )
    },
    onThread('GET /api/discussions/threads/:id'),
    onThread('POST /api/discussions/threads/:id/posts', { body: 'A matrix reply.' }),
    onThread('POST /api/discussions/threads/:id/read', { number: 1 }),
    onThread('POST /api/discussions/threads/:id/notification-level', { level: 'muted' }),
    onThread('GET /api/discussions/threads/:id/draft'),
    onThread('PUT /api/discussions/threads/:id/draft', { body: 'Draft reply' }),
    onThread('DELETE /api/discussions/threads/:id/draft'),
    onObject('GET /api/discussions/mention-candidates', async (w, target) => ({
      query: { q: 'a', threadId: String((await forum(w)).thread[target]) }
    })),
    onPost('GET /api/discussions/posts/:id'),
    onPost('POST /api/discussions/posts/:id/reactions', { kind: 'helpful' }),
    onPost('GET /api/discussions/posts/:id/reactions'),
    onPost('POST /api/discussions/posts/:id/bookmark', { bookmarked: true }),
    onPost('POST /api/discussions/posts/:id/flag', { reason: 'off_topic', note: 'Belongs elsewhere.' }),
    onOwnPost('PATCH /api/discussions/posts/:id', { body: 'My edited reply.' }),
    onOwnPost('POST /api/discussions/posts/:id/delete'),
    onOwnPost('GET /api/discussions/posts/:id/revisions'),
    { route: 'GET /api/discussions/bookmarks', access: 'discussions.use', expect: ACTIVE },
    {
      route: 'POST /api/discussions/preview',
      access: 'discussions.use',
      expect: ACTIVE,
      send: () => ({ body: { body: 'Preview **me**.' } })
    },
    {
      route: 'GET /api/search',
      access: 'search.use',
      expect: ACTIVE,
      send: async (w) => (await forum(w), { query: { q: 'matrix practice' } }),
      inspect: (role, body) =>
        sameNames(
          ((body as { hits?: { category: { name: string } }[] }).hits ?? []).map((h) => h.category.name),
          role,
          'search'
        )
    },

    // Moderators: thread actions, the flag queue, outcomes and purge.
    moderated('POST /api/discussions/threads/:id/pin', { scope: 'global', until: null }),
    moderated('POST /api/discussions/threads/:id/lock', { locked: true }),
    moderated('POST /api/discussions/threads/:id/close', { closed: true }),
    {
      route: 'POST /api/discussions/threads/:id/move',
      access: 'discussions.moderate',
      expect: MODERATORS,
      send: async (w) => {
        const f = await forum(w);
        return { params: { id: f.thread.own }, body: { categoryId: f.publicCategory } };
      }
    },
    moderated('POST /api/discussions/threads/:id/delete'),
    moderated('POST /api/discussions/threads/:id/restore'),
    moderated('POST /api/discussions/posts/:id/restore', undefined, 'post'),
    { route: 'GET /api/moderation/flags', access: 'discussions.moderate', expect: MODERATORS },
    moderated('POST /api/moderation/posts/:id/decide', { outcome: 'hide', note: 'Matrix check.' }, 'post'),
    moderated('POST /api/moderation/posts/:id/purge', {}, 'post'),

    // Admins: the categories and their audiences.
    { route: 'GET /api/admin/categories', access: 'categories.manage', expect: ADMIN },
    { route: 'POST /api/admin/categories', access: 'categories.manage', expect: ADMIN, send: () => ({ body: categoryBody }) },
    {
      route: 'PATCH /api/admin/categories/:id',
      access: 'categories.manage',
      expect: ADMIN,
      send: async (w) => ({ params: { id: (await forum(w)).publicCategory }, body: categoryBody })
    }
  ];
}

/** Which matrix resources (by title) and tags a role sees in lists and autocomplete. */
function readableLibrary(role: Role, names: { public: string; own: string; other: string }): string[] {
  if (role === 'moderator' || role === 'admin') return [names.public, names.own, names.other];
  if (role === 'coordinator') return [names.public, names.own];
  return [names.public];
}

function sameLibrary(
  seen: string[],
  role: Role,
  names: { public: string; own: string; other: string },
  what: string
): string | null {
  const want = readableLibrary(role, names);
  const known = new Set(Object.values(names));
  const got = [...new Set(seen.filter((n) => known.has(n)))].sort();
  return JSON.stringify(got) === JSON.stringify([...want].sort())
    ? null
    : `${what} shows ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
}

function resourceRows(): Row[] {
  const library = (w: World) => w.library();
  const use = 'resources.use' as const;
  /** Tried on task force A's private resource ('own') and B's: moderators and admins both, the coordinator A's. */
  const onObject = (
    route: string,
    pick: (l: MatrixLibrary, target: Target, callerId: number | null) => number,
    body?: unknown
  ): Row => ({
    route,
    access: use,
    expect: READERS_OWN,
    objectLevel: true,
    hidesAs404: true,
    send: async (w, target, callerId) => ({ params: { id: pick(await library(w), target, callerId) }, ...(body ? { body } : {}) })
  });
  const file = (l: MatrixLibrary, target: Target) => l.file[target];
  /** The caller's own resource (authors may edit, delete and add versions); anonymous callers try the admin's. */
  const ownFile = (l: MatrixLibrary, target: Target, callerId: number | null) =>
    callerId === null ? l.file[target] : l.resourceBy(callerId, target);
  const listed = (route: string, inspect?: Row['inspect'], query?: Record<string, string>): Row => ({
    route,
    access: use,
    expect: ACTIVE,
    send: async (w) => (await library(w), query ? { query } : {}),
    ...(inspect ? { inspect } : {})
  });
  const shareBody = { title: 'Matrix shared link', type: 'toolkit', url: 'https://example.org/matrix' };
  return [
    listed('GET /api/resources', (role, body) =>
      sameLibrary(
        ((body as { resources?: { title: string }[] }).resources ?? []).map((r) => r.title),
        role,
        LIBRARY_TITLES,
        'the resource list'
      )
    ),
    listed(
      'GET /api/resources/tags',
      (role, body) =>
        sameLibrary(
          ((body as { tags?: { name: string }[] }).tags ?? []).map((tag) => tag.name),
          role,
          LIBRARY_TAGS,
          'tag autocomplete'
        ),
      { q: 'matrix' }
    ),
    listed('GET /api/resources/watches'),
    {
      route: 'POST /api/resources/watches',
      access: use,
      expect: ACTIVE,
      send: () => ({ body: { tag: 'labor', watching: true } })
    },
    { route: 'POST /api/resources/check', access: use, expect: ACTIVE, send: () => ({ body: { ...shareBody, kind: 'link' } }) },
    { route: 'POST /api/resources', access: use, expect: ACTIVE, send: () => ({ body: shareBody }) },
    // A JSON body reaches the upload route's handler (415: it wants a form): the gate let the caller through.
    { route: 'POST /api/resources/files', access: use, expect: ACTIVE, send: () => ({ body: {} }) },
    onObject('GET /api/resources/:id', file),
    onObject('PATCH /api/resources/:id', ownFile, { title: 'My renamed resource' }),
    onObject('POST /api/resources/:id/delete', ownFile),
    onObject('POST /api/resources/:id/versions', ownFile),
    onObject('GET /api/resources/:id/download', file),
    onObject('POST /api/resources/:id/recommend', file, { recommended: true }),
    onObject('POST /api/resources/:id/report-broken-link', (l, target) => l.link[target], { note: 'Page not found.' }),
    {
      route: 'GET /api/resources/versions/:id/download',
      access: use,
      // Earlier versions: the author (an admin here) and moderators only; a coordinator of A is a reader, not enough.
      expect: MODERATORS,
      objectLevel: true,
      hidesAs404: true,
      send: async (w, target) => ({ params: { id: (await library(w)).oldVersion[target] } })
    },
    {
      route: 'POST /api/resources/:id/restore',
      access: use,
      expect: MODERATORS,
      hidesAs404: true,
      send: async (w) => ({ params: { id: (await library(w)).deleted } })
    },
    { route: 'GET /api/admin/resource-tags', access: 'resourceTags.manage', expect: ADMIN },
    {
      route: 'POST /api/admin/resource-tags/merge',
      access: 'resourceTags.manage',
      expect: ADMIN,
      send: async (w) => (await library(w), { body: { from: LIBRARY_TAGS.public, into: 'matrix-merged' } })
    }
  ];
}
