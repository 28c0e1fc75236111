import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { countByWeekOnId, weekStarts, WEEKS } from '../../server/modules/dashboard/weekly.ts';
import { DAY, HOUR } from '../../server/shared/clock.ts';
import { call, type TestApp } from '../support/app.ts';
import { createTaskForce, sessionCookie } from '../support/factories.ts';
import { discussionsApp, insertReply, makeCategory, signedMember, startThread, type Signed } from '../support/discussions.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const WEEK = 7 * DAY;

function insertRequest(t: TestApp, taskForceId: number, n: number) {
  t.db.$client
    .prepare(
      `INSERT INTO membership_requests (email, full_name, agency, job_title, discipline, task_force_id, supervisor_name,
        supervisor_contact, reason, status, status_token_hash, status_token_sealed, confirmed_at, created_at, updated_at)
       VALUES (?, 'Dana Applicant', 'Example PD', 'Detective', 'law_enforcement', ?, 'Sgt. Park', 'park@example.gov',
        'Practice.', 'submitted', ?, 'sealed', ?, ?, ?)`
    )
    .run(`applicant${n}@example.gov`, taskForceId, `hash-${n}`, t.clock.now(), t.clock.now(), t.clock.now());
}

function signInAudit(t: TestApp, memberId: number, at: number) {
  t.db.$client
    .prepare(
      "INSERT INTO audit_log (at, actor_id, action, outcome, ip, user_agent) VALUES (?, ?, 'auth.sign_in', 'success', '', '')"
    )
    .run(at, memberId);
}

const dashboard = async (t: TestApp, who: Signed) => {
  const res = await call(t.app, 'GET', '/api/admin/dashboard', { cookie: who.cookie });
  return { status: res.statusCode, body: res.json() };
};

describe('the staff dashboard', () => {
  it('gives an admin every part: requests, active and expiring members, weekly activity, flags and disk use', async () => {
    t = await discussionsApp();
    const start = t.clock.now();
    const tfA = createTaskForce(t, { name: 'Fictional Gulf Task Force', grantEndsAt: start + 20 * DAY });
    const tfB = createTaskForce(t, { name: 'Fictional Plains Task Force', grantEndsAt: start + 365 * DAY });
    const admin = await signedMember(t, { role: 'admin' });
    const author = await signedMember(t, { taskForceId: tfB.id });
    const expiring = await signedMember(t, { taskForceId: tfA.id, name: 'Erin Expiring' });
    insertRequest(t, tfA.id, 1);
    insertRequest(t, tfB.id, 2);
    const category = await makeCategory(t, admin);

    // Weeks ago → posts: a thread (its opening post) three weeks back, two replies last week, one this week.
    t.clock.advance(-3 * WEEK - DAY);
    const { threadId } = await startThread(t, author, category);
    signInAudit(t, author.id, t.clock.now());
    t.clock.advance(2 * WEEK);
    insertReply(t, threadId, author.id);
    insertReply(t, threadId, author.id);
    signInAudit(t, author.id, t.clock.now());
    signInAudit(t, author.id, t.clock.now() + HOUR);
    signInAudit(t, admin.id, t.clock.now());
    t.clock.advance(WEEK + DAY);
    const lastId = insertReply(t, threadId, author.id);
    await call(t.app, 'POST', `/api/discussions/posts/${lastId}/flag`, {
      cookie: sessionCookie(t, expiring.id),
      body: { reason: 'off_topic', note: 'Belongs elsewhere.' }
    });
    // Not active for two weeks: not "active this week".
    t.db.$client.prepare('UPDATE members SET last_active_at = ? WHERE id = ?').run(t.clock.now() - 14 * DAY, author.id);

    admin.cookie = sessionCookie(t, admin.id);
    const { status, body } = await dashboard(t, admin);
    expect(status).toBe(200);
    expect(body.weekStarts).toHaveLength(WEEKS);
    expect(body.taskForce).toBeNull();
    expect(body.membership).toMatchObject({ pendingRequests: 2, activeMembers: 3, activeThisWeek: 2 });
    expect(body.membership.expiringSoon.count).toBe(1);
    expect(body.membership.expiringSoon.members).toEqual([
      { id: expiring.id, name: 'Erin Expiring', taskForceName: 'Fictional Gulf Task Force', endsAt: start + 20 * DAY }
    ]);
    const signedIn = body.membership.weeks.map((w: { signedIn: number }) => w.signedIn);
    expect(signedIn.slice(-4)).toEqual([1, 0, 2, 0]);
    // The three members joined "now" (the end of the last week counts).
    expect(body.membership.weeks.map((w: { joined: number }) => w.joined).slice(-2)).toEqual([0, 3]);

    const posts = body.activity.weeks.map((w: { posts: number }) => w.posts);
    expect(posts.slice(-4)).toEqual([1, 0, 2, 1]);
    expect(body.activity).toMatchObject({ postsThisWeek: 1, threadsThisWeek: 0 });
    expect(body.activity.weeks.map((w: { threads: number }) => w.threads).slice(-4)).toEqual([1, 0, 0, 0]);
    expect(body.moderation).toMatchObject({ openFlags: 1, flaggedPosts: 1 });
    expect(body.system.databaseBytes).toBeGreaterThan(0);
    expect(body.system.lastBackupAt).toBeNull();
  });

  it('shows a coordinator their own task force’s membership only, and each staff role its own parts', async () => {
    t = await discussionsApp();
    const tfA = createTaskForce(t, { grantEndsAt: t.clock.now() + 10 * DAY });
    const tfB = createTaskForce(t, { grantEndsAt: t.clock.now() + 10 * DAY });
    const coordinator = await signedMember(t, { role: 'coordinator', taskForceId: tfA.id });
    await signedMember(t, { taskForceId: tfA.id });
    await signedMember(t, { taskForceId: tfB.id });
    await signedMember(t, { taskForceId: tfB.id });
    insertRequest(t, tfA.id, 1);
    insertRequest(t, tfB.id, 2);
    insertRequest(t, tfB.id, 3);

    const c = await dashboard(t, coordinator);
    expect(c.status).toBe(200);
    expect(c.body.taskForce).toEqual({ id: tfA.id, name: tfA.name });
    expect(c.body.membership).toMatchObject({ pendingRequests: 1, activeMembers: 2 });
    expect(c.body.membership.expiringSoon.count).toBe(2);
    expect(c.body.activity).toBeNull();
    expect(c.body.moderation).toBeNull();
    expect(c.body.system).toBeNull();

    const parts = (body: Record<string, unknown>) =>
      ['membership', 'activity', 'moderation', 'system'].filter((k) => body[k] !== null);
    expect(parts((await dashboard(t, await signedMember(t, { role: 'moderator' }))).body)).toEqual(['activity', 'moderation']);
    expect(parts((await dashboard(t, await signedMember(t, { role: 'editor' }))).body)).toEqual(['activity']);
    expect(parts((await dashboard(t, await signedMember(t, { role: 'admin' }))).body)).toEqual([
      'membership',
      'activity',
      'moderation',
      'system'
    ]);
    // A coordinator without a task force reviews nobody: nothing about membership.
    expect(parts((await dashboard(t, await signedMember(t, { role: 'coordinator' }))).body)).toEqual([]);
    expect((await dashboard(t, await signedMember(t))).status).toBe(403);
    expect((await call(t.app, 'GET', '/api/admin/dashboard')).statusCode).toBe(401);
  });

  it('counts rows per week by binary search over ids exactly as a full scan would, gaps and empty weeks included', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL)');
    const now = Date.UTC(2026, 0, 5);
    let at = now - 14 * WEEK;
    const insert = db.prepare('INSERT INTO posts (id, created_at) VALUES (?, ?)');
    let id = 1;
    // Irregular: bursts, quiet weeks, and ids with holes (purged posts).
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    while (at < now) {
      at += Math.floor(random() * (random() < 0.1 ? 3 * WEEK : 12 * HOUR));
      id += 1 + (random() < 0.2 ? Math.floor(random() * 5) : 0);
      if (at < now) insert.run(id, at);
    }
    const starts = weekStarts(now);
    const naive = starts.map(
      (s, i) =>
        (
          db.prepare('SELECT count(*) AS n FROM posts WHERE created_at >= ? AND created_at < ?').get(s, starts[i + 1] ?? now) as {
            n: number;
          }
        ).n
    );
    expect(naive.some((n) => n === 0)).toBe(true);
    expect(naive.some((n) => n > 3)).toBe(true);
    expect(countByWeekOnId(db, 'posts', starts, now)).toEqual(naive);
    db.exec('DELETE FROM posts');
    expect(countByWeekOnId(db, 'posts', starts, now)).toEqual(starts.map(() => 0));
    db.close();
  });
});
