import type Database from 'better-sqlite3';
import type { Ctx } from '../../context.ts';
import { authorize, can, reviewScope } from '../../policies/index.ts';
import { DAY } from '../../shared/clock.ts';
import { latestBackup } from '../../ops/backup.ts';
import { cachedFolderSize, databaseSize, filesDir, freeBytes } from '../../ops/disk.ts';
import { pendingCount } from '../membership/service.ts';
import { countByWeek, countByWeekOnId, weekStarts } from './weekly.ts';

const EXPIRING_LISTED = 10;

function tableExists(sqlite: Database.Database, name: string): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Membership: admins see everyone; a coordinator sees their own task force (taskForceId set).
 * "Active this week": signed in or used the site in the last 7 days (members.last_active_at).
 */
function membership(ctx: Ctx, sqlite: Database.Database, starts: number[], now: number, taskForceId: number | null) {
  const scope = taskForceId === null ? '' : 'AND m.task_force_id = @taskForceId';
  const params = { now, weekAgo: now - 7 * DAY, soon: now + 30 * DAY, taskForceId };
  const one = (sql: string) => (sqlite.prepare(sql).get(params) as { n: number }).n;
  const endsAt = 'coalesce(m.access_extended_until, tf.grant_ends_at)';
  const expiringWhere = `FROM members m LEFT JOIN task_forces tf ON tf.id = m.task_force_id
    WHERE m.status IN ('active', 'pending') ${scope} AND ${endsAt} > @now AND ${endsAt} <= @soon`;
  const expiring = sqlite
    .prepare(
      `SELECT m.id, m.name, tf.name AS taskForceName, ${endsAt} AS endsAt ${expiringWhere} ORDER BY endsAt, m.id LIMIT ${EXPIRING_LISTED}`
    )
    .all(params) as { id: number; name: string; taskForceName: string | null; endsAt: number }[];
  const memberScope = taskForceId === null ? '' : 'AND task_force_id = ?';
  const scopeParams = taskForceId === null ? [] : [taskForceId];
  const joined = countByWeek(
    sqlite,
    `SELECT count(*) AS n FROM members WHERE 1 = 1 ${memberScope} AND created_at >= ? AND created_at < ?`,
    starts,
    now + 1,
    scopeParams
  );
  // Who signed in, from the audit log (kept ≥ 365 days, indexed by action and time).
  const signedIn = countByWeek(
    sqlite,
    `SELECT count(DISTINCT a.actor_id) AS n FROM audit_log a
     WHERE a.action = 'auth.sign_in' AND a.outcome = 'success'
     ${taskForceId === null ? '' : 'AND a.actor_id IN (SELECT id FROM members WHERE task_force_id = ?)'}
     AND a.at >= ? AND a.at < ?`,
    starts,
    now + 1,
    scopeParams
  );
  return {
    pendingRequests: pendingCount(ctx),
    activeMembers: one(`SELECT count(*) AS n FROM members m WHERE m.status = 'active' ${scope}`),
    activeThisWeek: one(
      `SELECT count(*) AS n FROM members m WHERE m.status = 'active' AND m.last_active_at >= @weekAgo ${scope}`
    ),
    expiringSoon: { count: one(`SELECT count(*) AS n ${expiringWhere}`), members: expiring },
    weeks: starts.map((start, i) => ({ start, joined: joined[i]!, signedIn: signedIn[i]! }))
  };
}

/** Posts and threads written (including those since deleted), and resources shared, per week (the last one up to now, inclusive). */
function activity(sqlite: Database.Database, starts: number[], now: number) {
  const end = now + 1;
  const posts = countByWeekOnId(sqlite, 'posts', starts, end);
  const threads = countByWeekOnId(sqlite, 'threads', starts, end);
  const hasResources = tableExists(sqlite, 'resources');
  const resources = hasResources
    ? countByWeek(sqlite, 'SELECT count(*) AS n FROM resources WHERE created_at >= ? AND created_at < ?', starts, end)
    : null;
  const last = starts.length - 1;
  return {
    postsThisWeek: posts[last]!,
    threadsThisWeek: threads[last]!,
    resourcesThisWeek: resources ? resources[last]! : null,
    weeks: starts.map((start, i) => ({
      start,
      posts: posts[i]!,
      threads: threads[i]!,
      resources: resources ? resources[i]! : null
    }))
  };
}

function moderation(sqlite: Database.Database) {
  const row = sqlite
    .prepare(
      'SELECT count(*) AS flags, count(DISTINCT post_id) AS posts, min(created_at) AS oldest FROM post_flags WHERE resolved_at IS NULL'
    )
    .get() as { flags: number; posts: number; oldest: number | null };
  return { openFlags: row.flags, flaggedPosts: row.posts, oldestOpenFlagAt: row.oldest };
}

async function system(ctx: Ctx) {
  const db = databaseSize(ctx.db.$client);
  const files = await cachedFolderSize(filesDir(ctx.config));
  const orNull = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch {
      return null;
    }
  };
  const free = orNull(() => freeBytes(ctx.config.dataDir));
  const lastBackupAt = orNull(() => latestBackup(ctx.config.backupDir)?.manifest.createdAtMs ?? null);
  return {
    databaseBytes: db.bytes + db.walBytes,
    filesBytes: files.bytes,
    fileCount: files.files,
    freeBytes: free,
    lastBackupAt
  };
}

/** The staff overview: each part only for the roles it concerns (server/policies/dashboard.ts). */
export async function getDashboard(ctx: Ctx) {
  authorize(ctx.actor, 'staff.view');
  const sqlite = ctx.db.$client;
  const now = ctx.clock.now();
  const starts = weekStarts(now);
  const scopedTaskForce = reviewScope(ctx.actor);
  return {
    generatedAt: now,
    weekStarts: starts,
    membership: can(ctx.actor, 'dashboard.membership') ? membership(ctx, sqlite, starts, now, scopedTaskForce) : null,
    /** The task force the membership figures are limited to (a coordinator's own), or null for all. */
    taskForce:
      can(ctx.actor, 'dashboard.membership') && scopedTaskForce !== null
        ? ((sqlite.prepare('SELECT id, name FROM task_forces WHERE id = ?').get(scopedTaskForce) as
            { id: number; name: string } | undefined) ?? null)
        : null,
    activity: can(ctx.actor, 'dashboard.activity') ? activity(sqlite, starts, now) : null,
    moderation: can(ctx.actor, 'dashboard.moderation') ? moderation(sqlite) : null,
    system: can(ctx.actor, 'dashboard.system') ? await system(ctx) : null
  };
}
