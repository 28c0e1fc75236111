import type { Deps } from '../../context.ts';
import type { EventBus } from '../../events/bus.ts';
import { all, get } from '../discussions/sql.ts';
import type { NotificationData } from '../notifications/kinds.ts';
import { insertNotification } from '../notifications/store.ts';
import { deciderIds, loadSpotlight } from './store.ts';

/**
 * Approval notices, persisted here (a subscriber of the bus) and then announced with
 * notification.created for the live hub. The "published" notices are not made here: they are
 * stored in the publishing transaction (server/modules/spotlights/publish.ts), so a restart can
 * neither lose nor repeat them.
 */
export function subscribeSpotlightNotifications(bus: EventBus, deps: Deps): void {
  const { db } = deps;

  const persist = async (
    memberIds: number[],
    kind: 'spotlight_consent' | 'spotlight_consent_decided',
    data: NotificationData
  ): Promise<void> => {
    if (memberIds.length === 0) return;
    const now = deps.clock.now();
    const stored = await deps.writes.run((tx) =>
      memberIds.map((memberId) => insertNotification(tx, { memberId, kind, data, now }))
    );
    for (const n of stored) {
      if (n) void bus.publish({ type: 'notification.created', memberId: n.memberId, notificationId: n.id, replaces: n.replaces });
    }
  };

  bus.on('spotlight.consent_requested', (e) => {
    const row = loadSpotlight(db, e.spotlightId);
    // Edited again (or withdrawn) before this ran: the newer request is the one that counts.
    if (!row || row.revision !== e.revision || row.deletedAt !== null || row.publishedAt !== null) return;
    const about =
      row.kind === 'task_force' && row.featuredTaskForceId !== null
        ? (get<{ name: string }>(db, 'SELECT name FROM task_forces WHERE id = @id', { id: row.featuredTaskForceId })?.name ??
          'your task force')
        : null;
    return persist(deciderIds(db, row), 'spotlight_consent', { spotlightId: row.id, spotlightTitle: row.title, about });
  });

  bus.on('spotlight.consent_decided', (e) => {
    const row = loadSpotlight(db, e.spotlightId);
    if (!row || row.deletedAt !== null) return;
    const writers = all<{ id: number }>(
      db,
      `SELECT id FROM members WHERE role IN ('editor', 'admin') AND status = 'active' AND notice_accepted_at IS NOT NULL`
    ).map((r) => r.id);
    const audience = [...new Set([row.authorId, ...writers])].filter((id) => id !== e.deciderId);
    const actor = {
      id: e.deciderId,
      name: get<{ name: string }>(db, 'SELECT name FROM members WHERE id = @id', { id: e.deciderId })?.name ?? 'A member'
    };
    return persist(audience, 'spotlight_consent_decided', {
      actor,
      spotlightId: row.id,
      spotlightTitle: row.title,
      decision: e.decision
    });
  });
}
