import type { Deps } from '../../context.ts';
import type { EventBus } from '../../events/bus.ts';
import { readersAmong } from '../discussions/access.ts';
import { all, get } from '../discussions/sql.ts';
import type { NotificationData } from '../notifications/kinds.ts';
import { insertNotification } from '../notifications/store.ts';
import { TYPE_LABELS } from './input.ts';

/**
 * Notifications about resources, persisted here (a subscriber of the bus) and then announced with
 * notification.created for the live hub, like the discussion notices. Every audience passes the
 * resource read rule (readersAmong on the resource's category: the policy's SQL) at the moment the
 * event is handled, and each row names the resource's comments thread, so the notifications list
 * hides it again if the audience later shrinks.
 */
export function subscribeResourceNotifications(bus: EventBus, deps: Deps): void {
  const { db } = deps;

  const persist = (
    memberIds: number[],
    kind: 'resource_shared' | 'resource_broken_link',
    data: (id: number) => NotificationData,
    threadId: number
  ) => {
    if (memberIds.length === 0) return;
    const now = deps.clock.now();
    const stored = db.transaction((tx) =>
      memberIds.map((memberId) => insertNotification(tx, { memberId, kind, data: data(memberId), threadId, now }))
    );
    for (const n of stored) {
      if (n) bus.publish({ type: 'notification.created', memberId: n.memberId, notificationId: n.id, replaces: n.replaces });
    }
  };
  const person = (id: number) => ({
    id,
    name: get<{ name: string }>(db, 'SELECT name FROM members WHERE id = @id', { id })?.name ?? 'A member'
  });
  const live = (resourceId: number) =>
    get<{ title: string; threadId: number; categoryId: number; authorId: number }>(
      db,
      `SELECT title, thread_id AS threadId, category_id AS categoryId, author_id AS authorId FROM resources
       WHERE id = @resourceId AND deleted_at IS NULL`,
      { resourceId }
    );

  bus.on('resource.shared', (e) => {
    const resource = live(e.resourceId);
    if (!resource) return;
    const watches = all<{ memberId: number; kind: 'tag' | 'type'; value: string }>(
      db,
      `SELECT member_id AS memberId, kind, value FROM resource_watches
       WHERE ((kind = 'type' AND value = @type) OR (kind = 'tag' AND value IN (SELECT value FROM json_each(@tags))))
         AND member_id <> @authorId
       ORDER BY kind = 'type', value`,
      { type: e.resourceType, tags: JSON.stringify(e.tags), authorId: e.authorId }
    );
    // One notice per member, naming the first watched tag (or else the type) that matched.
    const reason = new Map<number, { kind: 'tag' | 'type'; value: string }>();
    for (const w of watches) if (!reason.has(w.memberId)) reason.set(w.memberId, { kind: w.kind, value: w.value });
    const audience = readersAmong(db, [...reason.keys()], resource.categoryId);
    const actor = person(e.authorId);
    persist(
      audience,
      'resource_shared',
      (memberId) => {
        const why = reason.get(memberId)!;
        const label = why.kind === 'type' ? (TYPE_LABELS[why.value as keyof typeof TYPE_LABELS] ?? why.value) : why.value;
        return { actor, resourceId: e.resourceId, resourceTitle: resource.title, watched: { ...why, label } };
      },
      resource.threadId
    );
  });

  bus.on('resource.link_reported', (e) => {
    const resource = live(e.resourceId);
    if (!resource) return;
    const staff = all<{ id: number }>(
      db,
      `SELECT id FROM members WHERE role IN ('moderator', 'admin') AND status = 'active' AND id <> @reporterId`,
      { reporterId: e.reporterId }
    ).map((r) => r.id);
    const candidates = [...new Set([...staff, ...(resource.authorId !== e.reporterId ? [resource.authorId] : [])])];
    const audience = readersAmong(db, candidates, resource.categoryId);
    const actor = person(e.reporterId);
    persist(
      audience,
      'resource_broken_link',
      () => ({ actor, resourceId: e.resourceId, resourceTitle: resource.title }),
      resource.threadId
    );
  });
}
