import type { DbOrTx } from '../../../db/client.ts';
import type { EventOf } from '../../events/types.ts';
import { all, idList } from '../discussions/sql.ts';
import type { NotificationData } from '../notifications/kinds.ts';

/**
 * Who hears of a status change: the author and every member who had voted (named in the event,
 * as counted in the transaction, before an "already exists" moved the votes), never the admin who
 * made it, and only members who can still use the community.
 */
export function suggestionStatusDrafts(
  db: DbOrTx,
  e: EventOf<'suggestion.status_changed'>
): { memberId: number; kind: 'suggestion_status'; data: NotificationData }[] {
  const audience = all<{ id: number }>(
    db,
    `SELECT id FROM members WHERE id IN (SELECT value FROM json_each(@ids)) AND id <> @adminId
       AND status = 'active' AND notice_accepted_at IS NOT NULL ORDER BY id`,
    { ids: idList(e.audienceIds), adminId: e.changedBy }
  ).map((r) => r.id);
  const data: NotificationData = {
    suggestionId: e.suggestionId,
    suggestionTitle: e.title,
    suggestionStatus: e.to,
    statusNote: e.note
  };
  return audience.map((memberId) => ({ memberId, kind: 'suggestion_status', data }));
}
