import type { DbOrTx } from '../../../db/client.ts';
import type { EmailMode, EmailPreference } from '../../../db/schema/index.ts';
import type { Actor } from '../../policies/index.ts';
import { READABLE_CATEGORY_IDS_SQL, readerParams } from '../../policies/discussions.ts';
import { DAY } from '../../shared/clock.ts';
import { all, get, run } from '../discussions/sql.ts';
import { KIND_NAMES, kindSpec, type KindSpec, type NotificationData, type NotificationKind } from './kinds.ts';

/** SQL for the notifications table: the one place that reads or writes it. */

export interface NotificationRow {
  id: number;
  memberId: number;
  kind: string;
  data: string;
  threadId: number | null;
  postNumber: number | null;
  createdAt: number;
  readAt: number | null;
}

const COLUMNS = `n.id, n.member_id AS memberId, n.kind, n.data, n.thread_id AS threadId, n.post_number AS postNumber,
  n.created_at AS createdAt, n.read_at AS readAt`;

/**
 * A row about a thread is visible only while the member may read the thread's category now (the
 * policy's SQL, on the thread's current category: a moved thread follows its new audience).
 * Bind with readerParams(actor).
 */
const VISIBLE = `(n.thread_id IS NULL OR EXISTS (SELECT 1 FROM threads vt WHERE vt.id = n.thread_id
  AND vt.category_id IN (${READABLE_CATEGORY_IDS_SQL})))`;

export const REPLAY_WINDOW_MS = 7 * DAY;
export const REPLAY_MAX = 1000;

export interface NewNotification {
  memberId: number;
  kind: string;
  data: NotificationData;
  groupKey?: string | null;
  threadId?: number | null;
  postNumber?: number | null;
  now: number;
}

export interface Inserted {
  id: number;
  memberId: number;
  replaces: number | null;
}

const RANKED = KIND_NAMES.filter((k) => (kindSpec(k) as KindSpec).rank !== undefined);

export function emailPreference(db: DbOrTx, memberId: number, kind: string): EmailPreference {
  const row = get<{ email: EmailPreference }>(
    db,
    'SELECT email FROM notification_preferences WHERE member_id = @memberId AND kind = @kind',
    { memberId, kind }
  );
  return row?.email ?? kindSpec(kind)?.defaultEmail ?? 'off';
}

/** The row this one would supersede or merge with; `skip` when an equal or stronger notice already exists. */
function predecessor(db: DbOrTx, n: NewNotification, spec: KindSpec): { id: number; data: NotificationData } | 'skip' | null {
  if (spec.rank !== undefined && n.threadId != null && n.postNumber != null) {
    const existing = get<{ id: number; kind: string; data: string }>(
      db,
      `SELECT id, kind, data FROM notifications WHERE member_id = @memberId AND thread_id = @threadId AND post_number = @postNumber
         AND kind IN (SELECT value FROM json_each(@ranked)) ORDER BY id DESC LIMIT 1`,
      { memberId: n.memberId, threadId: n.threadId, postNumber: n.postNumber, ranked: JSON.stringify(RANKED) }
    );
    if (!existing) return null;
    if ((kindSpec(existing.kind)?.rank ?? 0) >= spec.rank) return 'skip';
    return { id: existing.id, data: JSON.parse(existing.data) as NotificationData };
  }
  if (spec.merge && n.groupKey) {
    const existing = get<{ id: number; data: string }>(
      db,
      `SELECT id, data FROM notifications WHERE member_id = @memberId AND group_key = @groupKey AND read_at IS NULL
       ORDER BY id DESC LIMIT 1`,
      { memberId: n.memberId, groupKey: n.groupKey }
    );
    return existing ? { id: existing.id, data: JSON.parse(existing.data) as NotificationData } : null;
  }
  return null;
}

/**
 * Store one notification, inside the caller's transaction. A superseded or merged row is deleted and
 * the new one takes a new, higher id (ids only grow: a client's cursor never misses the change) and
 * names the old one in data.replaces. Returns null when a stronger notice of the same post exists.
 */
export function insertNotification(db: DbOrTx, n: NewNotification): Inserted | null {
  const spec = kindSpec(n.kind);
  if (!spec) throw new Error(`unknown notification kind ${n.kind}`);
  const before = predecessor(db, n, spec);
  if (before === 'skip') return null;
  let data = n.data;
  if (before) {
    if (spec.merge && n.groupKey) data = spec.merge(before.data, n.data);
    run(db, 'DELETE FROM notifications WHERE id = @id', { id: before.id });
  }
  const preference = emailPreference(db, n.memberId, n.kind);
  const mode: EmailMode | null = preference === 'off' ? null : preference;
  const result = run(
    db,
    `INSERT INTO notifications (member_id, kind, data, group_key, thread_id, post_number, created_at, email_mode, email_state)
     VALUES (@memberId, @kind, @data, @groupKey, @threadId, @postNumber, @now, @mode, @state)`,
    {
      memberId: n.memberId,
      kind: n.kind,
      data: JSON.stringify({ ...data, replaces: before ? before.id : null }),
      groupKey: n.groupKey ?? null,
      threadId: n.threadId ?? null,
      postNumber: n.postNumber ?? null,
      now: n.now,
      mode,
      state: mode ? 'pending' : null
    }
  );
  return { id: Number(result.lastInsertRowid), memberId: n.memberId, replaces: before ? before.id : null };
}

/**
 * One notice to every active member who has accepted the notice of use, in one statement (10,000
 * members are one INSERT, not 10,000), each with the member's e-mail preference for the kind. For
 * kinds that group or supersede nothing (no predecessor to look for).
 */
export function insertNotificationForEveryMember(
  db: DbOrTx,
  n: { kind: NotificationKind; data: NotificationData; now: number }
): { id: number; memberId: number }[] {
  const spec = kindSpec(n.kind);
  if (!spec) throw new Error(`unknown notification kind ${n.kind}`);
  return all<{ id: number; memberId: number }>(
    db,
    `INSERT INTO notifications (member_id, kind, data, group_key, thread_id, post_number, created_at, email_mode, email_state)
     SELECT m.id, @kind, @data, NULL, NULL, NULL, @now,
       CASE WHEN coalesce(p.email, @fallback) = 'off' THEN NULL ELSE coalesce(p.email, @fallback) END,
       CASE WHEN coalesce(p.email, @fallback) = 'off' THEN NULL ELSE 'pending' END
     FROM members m LEFT JOIN notification_preferences p ON p.member_id = m.id AND p.kind = @kind
     WHERE m.status = 'active' AND m.notice_accepted_at IS NOT NULL
     ORDER BY m.id
     RETURNING id, member_id AS memberId`,
    { kind: n.kind, data: JSON.stringify({ ...n.data, replaces: null }), now: n.now, fallback: spec.defaultEmail }
  );
}

export function unreadCount(db: DbOrTx, actor: Actor): number {
  return get<{ n: number }>(
    db,
    `SELECT count(*) AS n FROM notifications n WHERE n.member_id = @me AND n.read_at IS NULL AND ${VISIBLE}`,
    { me: actor.id, ...readerParams(actor) }
  )!.n;
}

/** The member's highest notification id (0 when none): the cursor a client starts from. */
export function lastId(db: DbOrTx, memberId: number): number {
  return (
    get<{ id: number | null }>(db, 'SELECT max(id) AS id FROM notifications WHERE member_id = @memberId', { memberId })!.id ?? 0
  );
}

export function visibleById(db: DbOrTx, actor: Actor, id: number): NotificationRow | undefined {
  return get<NotificationRow>(
    db,
    `SELECT ${COLUMNS} FROM notifications n WHERE n.id = @id AND n.member_id = @me AND ${VISIBLE}`,
    { id, me: actor.id, ...readerParams(actor) }
  );
}

/** Newest first; `before` is the id the previous page ended at. */
export function listPage(db: DbOrTx, actor: Actor, q: { before?: number; limit: number; unread: boolean }): NotificationRow[] {
  return all<NotificationRow>(
    db,
    `SELECT ${COLUMNS} FROM notifications n WHERE n.member_id = @me AND n.id < @before
       ${q.unread ? 'AND n.read_at IS NULL' : ''} AND ${VISIBLE}
     ORDER BY n.id DESC LIMIT @limit`,
    { me: actor.id, before: q.before ?? Number.MAX_SAFE_INTEGER, limit: q.limit, ...readerParams(actor) }
  );
}

export type Replay = { reset: true } | { reset: false; rows: NotificationRow[] };

/**
 * What a reconnecting client missed after `after`, oldest first. Bounded: when the gap reaches back
 * past REPLAY_WINDOW_MS or holds more than REPLAY_MAX rows — or the cursor is from the future (a
 * restored database) — the answer is a reset: the client reloads its lists instead.
 */
export function replayAfter(db: DbOrTx, actor: Actor, after: number, now: number): Replay {
  if (after > lastId(db, actor.id)) return { reset: true };
  const tooOld = get(db, 'SELECT 1 FROM notifications WHERE member_id = @me AND id > @after AND created_at < @since LIMIT 1', {
    me: actor.id,
    after,
    since: now - REPLAY_WINDOW_MS
  });
  if (tooOld) return { reset: true };
  const rows = all<NotificationRow>(
    db,
    `SELECT ${COLUMNS} FROM notifications n WHERE n.member_id = @me AND n.id > @after AND ${VISIBLE}
     ORDER BY n.id LIMIT @limit`,
    { me: actor.id, after, limit: REPLAY_MAX + 1, ...readerParams(actor) }
  );
  return rows.length > REPLAY_MAX ? { reset: true } : { reset: false, rows };
}

export function markOneRead(db: DbOrTx, memberId: number, id: number, now: number): boolean {
  return (
    run(db, 'UPDATE notifications SET read_at = @now WHERE id = @id AND member_id = @memberId AND read_at IS NULL', {
      id,
      memberId,
      now
    }).changes > 0
  );
}

export function markAllRead(db: DbOrTx, memberId: number, upTo: number, now: number): number {
  return run(db, 'UPDATE notifications SET read_at = @now WHERE member_id = @memberId AND read_at IS NULL AND id <= @upTo', {
    memberId,
    upTo,
    now
  }).changes;
}

/** Rows about this thread up to post `upTo` (rows without a post number: the thread itself). */
export function markThreadRead(db: DbOrTx, memberId: number, threadId: number, upTo: number, now: number): number[] {
  return all<{ id: number }>(
    db,
    `UPDATE notifications SET read_at = @now WHERE member_id = @memberId AND thread_id = @threadId AND read_at IS NULL
       AND (post_number IS NULL OR post_number <= @upTo) RETURNING id`,
    { memberId, threadId, upTo, now }
  ).map((r) => r.id);
}

/** Every member's unread rows with this group key (a membership request someone has decided). */
export function markGroupRead(db: DbOrTx, groupKey: string, now: number): { memberId: number; id: number }[] {
  return all<{ memberId: number; id: number }>(
    db,
    `UPDATE notifications SET read_at = @now WHERE group_key = @groupKey AND read_at IS NULL
     RETURNING member_id AS memberId, id`,
    { groupKey, now }
  );
}

/** Text removed from a post (hidden, deleted, purged): drop the copy notifications keep; pending mail then carries none. */
export function forgetExcerpt(db: DbOrTx, threadId: number, postId: number): number {
  return run(
    db,
    `UPDATE notifications SET data = json_set(data, '$.excerpt', NULL)
     WHERE thread_id = @threadId AND json_extract(data, '$.postId') = @postId AND json_extract(data, '$.excerpt') IS NOT NULL`,
    { threadId, postId }
  ).changes;
}
