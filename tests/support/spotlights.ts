import { expect } from 'vitest';
import { call, makeApp, type TestApp } from './app.ts';
import { createTaskForce } from './factories.ts';
import { signedMember, type Signed } from './discussions.ts';
import { publishDue } from '../../server/modules/spotlights/publish.ts';

/**
 * Spotlight tests start on Monday 2026-01-05 12:00 UTC (07:00 in New York, the FakeClock's default):
 * that week's slot publishes at 09:00 New York = 14:00 UTC.
 */
export const THIS_WEEK = '2026-01-05';
export const THIS_WEEK_PUBLISH = Date.UTC(2026, 0, 5, 14);

export function spotlightApp(env: Record<string, string> = {}): Promise<TestApp> {
  return makeApp({ env: { POST_INTERVAL_SECONDS: '0', ...env } });
}

export interface SpotlightWorld {
  taskForceId: number;
  otherTaskForceId: number;
  editor: Signed;
  admin: Signed;
  featured: Signed;
  coordinator: Signed;
  otherCoordinator: Signed;
  reader: Signed;
  moderator: Signed;
}

export async function spotlightWorld(t: TestApp): Promise<SpotlightWorld> {
  const tf = createTaskForce(t, { name: 'Gulf Coast Task Force' });
  const other = createTaskForce(t, { name: 'Mountain West Task Force' });
  return {
    taskForceId: tf.id,
    otherTaskForceId: other.id,
    editor: await signedMember(t, { role: 'editor', name: 'Erin Editor' }),
    admin: await signedMember(t, { role: 'admin', name: 'Ada Admin' }),
    featured: await signedMember(t, { name: 'Fran Featured', taskForceId: tf.id }),
    coordinator: await signedMember(t, { role: 'coordinator', name: 'Cory Coordinator', taskForceId: tf.id }),
    otherCoordinator: await signedMember(t, { role: 'coordinator', name: 'Olive Other', taskForceId: other.id }),
    reader: await signedMember(t, { name: 'Riley Reader', taskForceId: other.id }),
    moderator: await signedMember(t, { role: 'moderator', name: 'Max Moderator' })
  };
}

export const memberSpotlight = (featuredMemberId: number, extra: Record<string, unknown> = {}) => ({
  kind: 'member',
  title: 'Meet the detective who built our labor team',
  summary: 'Ten years of labor trafficking cases, and what she learned about interviews.',
  body: 'She started in **2016** with one case.\n\nToday the team works with six agencies.',
  featuredMemberId,
  ...extra
});

export const practiceSpotlight = (extra: Record<string, unknown> = {}) => ({
  kind: 'practice',
  title: 'A promising practice: joint interview rooms',
  summary: 'How two task forces share one trauma-informed interview room.',
  body: 'The room has soft lighting and an advocate present.',
  ...extra
});

export async function create(t: TestApp, who: Signed, body: Record<string, unknown>) {
  const res = await call(t.app, 'POST', '/api/spotlights', { cookie: who.cookie, body });
  expect(res.statusCode, res.body).toBe(201);
  await t.deps.bus.idle();
  return res.json() as { id: number; revision: number; [key: string]: unknown };
}

export function decide(t: TestApp, who: Signed, id: number, body: Record<string, unknown>) {
  return call(t.app, 'POST', `/api/spotlights/${id}/consent`, { cookie: who.cookie, body });
}

export function schedule(t: TestApp, who: Signed, id: number, week: string) {
  return call(t.app, 'POST', `/api/spotlights/${id}/schedule`, { cookie: who.cookie, body: { week } });
}

/** One run of the publish job, its notices stored and announced. */
export async function runJob(t: TestApp) {
  const report = await publishDue(t.deps);
  await t.deps.bus.idle();
  return report;
}

export function notificationsOf(t: TestApp, memberId: number, kind?: string) {
  return (
    t.db.$client
      .prepare(
        `SELECT id, kind, data, email_mode AS emailMode FROM notifications WHERE member_id = ? ${kind ? 'AND kind = ?' : ''} ORDER BY id`
      )
      .all(...(kind ? [memberId, kind] : [memberId])) as { id: number; kind: string; data: string; emailMode: string | null }[]
  ).map((n) => ({ ...n, data: JSON.parse(n.data) as Record<string, unknown> }));
}
