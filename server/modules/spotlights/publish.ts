import type { Tx } from '../../../db/client.ts';
import type { Deps } from '../../context.ts';
import { DAY } from '../../shared/clock.ts';
import { openAttachedThread, sharedAttachedCategory } from '../discussions/attached.ts';
import { all, get, run } from '../discussions/sql.ts';
import { insertNotification, insertNotificationForEveryMember } from '../notifications/store.ts';
import { KIND_LABELS } from './input.ts';
import { auditSpotlight, COLUMNS, consentInPlace, type SpotlightRow } from './store.ts';
import { slotEndOf } from './week.ts';

/**
 * The publish job (every SPOTLIGHT_JOB_INTERVAL_MS and at start; also right after an approval).
 * A spotlight is due once its publish moment has passed; it goes out only with approval of its
 * current revision, until its slot is over (then it is missed and stays a draft for the editors).
 * Idempotent and restart-safe: each publish is one transaction that claims the row with a
 * conditional UPDATE (published_at IS NULL, same revision, consent in place), opens the comments
 * thread, indexes it and stores every member's notice in one INSERT … SELECT; a second run or a
 * second process finds nothing left to claim, and a crash leaves either all of it or none.
 */

const SYSTEM = (deps: Deps) => ({ actor: null, ip: 'system', userAgent: 'spotlight-publish-job', clock: deps.clock });

/** The rule of consentInPlace as SQL over the row being claimed (the two must agree: a test holds them). */
const CONSENT_IN_PLACE_SQL = `(kind NOT IN ('member', 'task_force') OR (consent_state = 'approved' AND consent_revision = revision))`;

/** Every active member's notice, in one statement (the notifications store's fan-out). */
function storePublishedNotices(tx: Tx, row: SpotlightRow, now: number): { id: number; memberId: number }[] {
  return insertNotificationForEveryMember(tx, {
    kind: 'spotlight_published',
    data: { spotlightId: row.id, spotlightTitle: row.title, about: null },
    now
  });
}

function publishOne(deps: Deps, row: SpotlightRow, now: number) {
  return deps.db.transaction((tx) => {
    const claimed = run(
      tx,
      `UPDATE spotlights SET published_at = @now, updated_at = @now
       WHERE id = @id AND published_at IS NULL AND deleted_at IS NULL AND revision = @revision
         AND publish_at IS NOT NULL AND publish_at <= @now AND ${CONSENT_IN_PLACE_SQL}`,
      { now, id: row.id, revision: row.revision }
    );
    if (claimed.changes === 0) return null;
    const categoryId = sharedAttachedCategory(tx, 'spotlights', now);
    const threadId = openAttachedThread(tx, { categoryId, title: row.title, authorId: row.authorId, now });
    run(tx, 'UPDATE spotlights SET category_id = @categoryId, thread_id = @threadId WHERE id = @id', {
      categoryId,
      threadId,
      id: row.id
    });
    run(tx, 'INSERT INTO spotlight_search (rowid, title, summary, body) VALUES (@id, @title, @summary, @body)', {
      id: row.id,
      title: row.title,
      summary: row.summary,
      body: row.bodyText
    });
    const notices = storePublishedNotices(tx, row, now);
    auditSpotlight(tx, SYSTEM(deps), 'spotlight.published', row.id, {
      week: row.week,
      revision: row.revision,
      kind: KIND_LABELS[row.kind],
      notified: notices.length
    });
    return { threadId, notices };
  });
}

/** The author hears once per publish moment that it is due but not approved (the row is the marker). */
function tellWaiting(deps: Deps, row: SpotlightRow, now: number) {
  const groupKey = `spotlight-waiting:${row.id}:${row.publishAt}`;
  return deps.db.transaction((tx) => {
    const told = get<{ ok: number }>(
      tx,
      'SELECT 1 AS ok FROM notifications WHERE member_id = @authorId AND group_key = @groupKey',
      { authorId: row.authorId, groupKey }
    );
    if (told) return null;
    return insertNotification(tx, {
      memberId: row.authorId,
      kind: 'spotlight_consent_decided',
      data: { spotlightId: row.id, spotlightTitle: row.title, waiting: true },
      groupKey,
      now
    });
  });
}

export interface PublishReport {
  published: number[];
  waiting: number[];
}

/** Publish what is due and approved; tell authors of what is due and not. */
export async function publishDue(deps: Deps): Promise<PublishReport> {
  const now = deps.clock.now();
  // A slot lasts a week (plus an hour when the clocks change): older rows are missed, not due.
  const due = all<SpotlightRow>(
    deps.db,
    `SELECT ${COLUMNS} FROM spotlights s
     WHERE s.published_at IS NULL AND s.deleted_at IS NULL AND s.publish_at <= @now AND s.publish_at > @floor
     ORDER BY s.publish_at, s.id`,
    { now, floor: now - 8 * DAY }
  );
  const report: PublishReport = { published: [], waiting: [] };
  const announcements: Promise<void>[] = [];
  for (const row of due) {
    if (row.week === null || now >= slotEndOf(row.week, deps.config.spotlight)) continue;
    if (consentInPlace(row)) {
      const done = publishOne(deps, row, now);
      if (!done) continue;
      report.published.push(row.id);
      for (const n of done.notices) {
        announcements.push(
          deps.bus.publish({ type: 'notification.created', memberId: n.memberId, notificationId: n.id, replaces: null })
        );
      }
      announcements.push(
        deps.bus.publish({ type: 'spotlight.published', spotlightId: row.id, threadId: done.threadId, title: row.title })
      );
    } else {
      report.waiting.push(row.id);
      const told = tellWaiting(deps, row, now);
      if (told) {
        announcements.push(
          deps.bus.publish({
            type: 'notification.created',
            memberId: told.memberId,
            notificationId: told.id,
            replaces: told.replaces
          })
        );
      }
    }
  }
  await Promise.all(announcements);
  return report;
}
