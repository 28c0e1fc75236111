import type Database from 'better-sqlite3';
import type { Deps } from '../context.ts';
import { DAY } from '../shared/clock.ts';
import { archiveAuditLog } from './auditArchive.ts';
import { purgeDeletedDiscussions, type DiscussionPurgeReport } from './purgeDiscussions.ts';
import { purgeDeletedResources, type ResourcePurgeReport } from './purgeResources.ts';

/**
 * Retention periods (docs/operations.md, "Retention"). Every step is idempotent and works in
 * bounded batches, so the hourly run catches up over a few hours after a long outage.
 */
export const RETENTION = {
  /** Used and expired mailed links, expired sign-in challenges: kept a week so a late click still hears "expired". */
  tokensDays: 7,
  notificationsDays: 90,
  /** Soft-deleted threads, posts and resources: they can be restored for this long, then they are gone. */
  deletedContentDays: 30
} as const;

export interface RetentionReport {
  sessions: number;
  signInChallenges: number;
  tokens: number;
  notifications: number;
  audit: { archived: number; deleted: number };
  discussions: DiscussionPurgeReport;
  resources: ResourcePurgeReport;
  /** Direct messages whose sender deleted them: their text is blanked (the row keeps the conversation's shape). */
  messages: number;
}

const BATCH = 5000;

function deleteExpiredAuth(sqlite: Database.Database, now: number, idleMs: number) {
  return sqlite.transaction(() => ({
    sessions: sqlite.prepare('DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?').run(now, now - idleMs).changes,
    signInChallenges: sqlite.prepare('DELETE FROM sign_in_challenges WHERE expires_at < ?').run(now).changes,
    tokens: sqlite
      .prepare('DELETE FROM tokens WHERE expires_at < @cutoff OR (used_at IS NOT NULL AND used_at < @cutoff)')
      .run({ cutoff: now - RETENTION.tokensDays * DAY }).changes
  }))();
}

/**
 * Notifications have no index on their time, but their ids only grow (AUTOINCREMENT) as time does:
 * find the first one young enough to keep, then delete everything below it in id-range batches.
 */
function pruneNotifications(sqlite: Database.Database, now: number): number {
  const cutoff = now - RETENTION.notificationsDays * DAY;
  const firstKept =
    (
      sqlite.prepare('SELECT id FROM notifications WHERE created_at >= ? ORDER BY id LIMIT 1').get(cutoff) as
        { id: number } | undefined
    )?.id ?? Number.MAX_SAFE_INTEGER;
  const remove = sqlite.prepare(
    'DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE id < ? AND created_at < ? ORDER BY id LIMIT ?)'
  );
  let total = 0;
  for (;;) {
    const changes = remove.run(firstKept, cutoff, BATCH).changes;
    total += changes;
    if (changes < BATCH) return total;
  }
}

/**
 * A deleted direct message keeps its text for the restore period (a moderator may still need it
 * for a flag), then the text is gone for good: blanked and marked purged, in batches.
 */
function blankDeletedMessages(sqlite: Database.Database, deletedBefore: number, now: number): number {
  const blank = sqlite.prepare(
    `UPDATE messages SET body = '', body_html = '', body_text = '', purged_at = ?
     WHERE id IN (SELECT id FROM messages WHERE deleted_at IS NOT NULL AND deleted_at < ? AND purged_at IS NULL LIMIT ?)`
  );
  let total = 0;
  for (;;) {
    const changes = blank.run(now, deletedBefore, BATCH).changes;
    total += changes;
    if (changes < BATCH) return total;
  }
}

export function runRetention(deps: Deps): RetentionReport {
  const sqlite = deps.db.$client;
  const now = deps.clock.now();
  const auth = deleteExpiredAuth(sqlite, now, deps.config.sessionIdleMs);
  const notifications = pruneNotifications(sqlite, now);
  const audit = archiveAuditLog(sqlite, deps.config.dataDir, now - deps.config.auditRetentionDays * DAY);
  const deletedBefore = now - RETENTION.deletedContentDays * DAY;
  // Resources first: their comments threads are purged with them, not by the discussions purge.
  const resources = purgeDeletedResources(deps, deletedBefore, now);
  const discussions = purgeDeletedDiscussions(deps.db, deletedBefore, now);
  const messages = blankDeletedMessages(sqlite, deletedBefore, now);
  return {
    ...auth,
    notifications,
    audit: { archived: audit.archived, deleted: audit.deleted },
    discussions,
    resources,
    messages
  };
}
