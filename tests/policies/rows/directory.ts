import type { TestApp } from '../../support/app.ts';
import { createMember } from '../../support/factories.ts';
import { setProfile } from '../../support/directory.ts';
import { ACTIVE, only, type Role, type Row, type Target, type World } from '../matrix.ts';

/**
 * Authorization matrix rows for the directory routes (owner: D1). Only functions here: this module is
 * imported by matrix.ts, so its constants (ACTIVE, STAFF, …) exist only once the rows are built.
 *
 * Side doors: a member of task force B whose name, agency, expertise and state are for staff only is
 * in every cell's app; a caller who is not directory staff for them (member, coordinator of A) must
 * never find those values in a reply. GET /api/members/:id is object-level: 'own' is an active member
 * of A (everyone may open it), 'other' a suspended member of B (404 except to admins, moderators,
 * editors).
 */

const SECRET = { name: 'Matrix Hiddenname', agency: 'Matrix Covert Unit', tag: 'matrix-covert-tag', state: 'VT' };
const made = new WeakMap<TestApp, Promise<{ secret: number; suspended: number }>>();

function fixtures(w: World) {
  let f = made.get(w.t);
  if (!f) {
    f = (async () => {
      const secret = await createMember(w.t, { taskForceId: w.taskForceB, name: SECRET.name });
      setProfile(w.t, secret.id, {
        agency: SECRET.agency,
        state: SECRET.state,
        expertise: [SECRET.tag],
        visibility: { name: 'staff', agency: 'staff', expertise: 'staff', state: 'staff' }
      });
      const suspended = await createMember(w.t, { taskForceId: w.taskForceB, status: 'suspended' });
      return { secret: secret.id, suspended: suspended.id };
    })();
    made.set(w.t, f);
  }
  return f;
}

const SITE_STAFF: Role[] = ['moderator', 'editor', 'admin'];

/** For callers who are not directory staff of task force B, the secret values are nowhere in the reply. */
const noSecrets = (role: Role, body: unknown): string | null => {
  if (SITE_STAFF.includes(role)) return null;
  const text = JSON.stringify(body);
  const leaked = Object.values(SECRET).filter((v) => text.includes(v));
  return leaked.length ? `shows a staff-only value: ${leaked.join(', ')}` : null;
};

const withFixtures =
  (extra: (w: World) => Record<string, unknown> = () => ({})) =>
  async (w: World) => {
    await fixtures(w);
    return extra(w);
  };

export function directoryRows(): Row[] {
  return [
    { route: 'GET /api/profile', access: 'directory.use', expect: ACTIVE },
    { route: 'PUT /api/profile', access: 'directory.use', expect: ACTIVE, send: () => ({ body: { jobTitle: 'Detective' } }) },
    {
      route: 'GET /api/members',
      access: 'directory.use',
      expect: ACTIVE,
      send: withFixtures(),
      inspect: noSecrets
    },
    {
      route: 'GET /api/members/:id',
      access: 'directory.use',
      expect: { ...only('moderator', 'editor', 'admin'), member: 'own', coordinator: 'own' },
      objectLevel: true,
      hidesAs404: true,
      send: async (w: World, target: Target) => {
        const f = await fixtures(w);
        return { params: { id: target === 'own' ? w.otherMemberId : f.suspended } };
      }
    },
    { route: 'GET /api/directory/options', access: 'directory.use', expect: ACTIVE, send: withFixtures(), inspect: noSecrets },
    {
      route: 'GET /api/directory/expertise',
      access: 'directory.use',
      expect: ACTIVE,
      send: withFixtures(() => ({ query: { q: 'matrix' } })),
      inspect: noSecrets
    },
    { route: 'GET /api/task-forces', access: 'directory.use', expect: ACTIVE, send: withFixtures() },
    {
      route: 'GET /api/task-forces/:id',
      access: 'directory.use',
      expect: ACTIVE,
      send: withFixtures((w) => ({ params: { id: w.taskForceB } })),
      inspect: noSecrets
    }
  ];
}
