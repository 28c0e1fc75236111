import type { Deps } from '../../context.ts';
import type { EventBus } from '../../events/bus.ts';
import { memberActors } from '../notifications/actors.ts';
import { directMessageGroup, type NotificationData } from '../notifications/kinds.ts';
import { insertNotification, type NewNotification } from '../notifications/store.ts';
import { personFor } from './people.ts';

/**
 * Notifications about direct messages, persisted as a subscriber of the bus and then announced with
 * notification.created for the hub, like the others. The audience is the conversation's own members
 * only. A notice never carries the message's text (nor does its e-mail): who, and a link. The sender
 * is named as the recipient may see them (the directory's visibility rule), not by their raw name.
 */
export function subscribeMessageNotifications(bus: EventBus, deps: Deps): void {
  const persist = async (drafts: Omit<NewNotification, 'now'>[]) => {
    if (drafts.length === 0) return;
    const now = deps.clock.now();
    const stored = await deps.writes.run((tx) => drafts.map((d) => insertNotification(tx, { ...d, now })));
    for (const n of stored) {
      if (n) bus.publish({ type: 'notification.created', memberId: n.memberId, notificationId: n.id, replaces: n.replaces });
    }
  };

  bus.on('message.sent', (e) => {
    const [recipient] = memberActors(deps, [e.recipientId]);
    if (!recipient) return;
    const sender = personFor(deps.db, recipient, e.senderId);
    return persist([
      {
        memberId: e.recipientId,
        kind: 'direct_message',
        data: { actor: { id: sender.id, name: sender.displayName }, count: 1, conversationId: e.conversationId },
        groupKey: directMessageGroup(e.conversationId)
      }
    ]);
  });

  bus.on('message.moderated', (e) => {
    const base: NotificationData = { outcome: e.outcome, conversationId: e.conversationId };
    // A dismissed flag is news to those who flagged, not to the sender.
    const author = e.outcome !== 'dismiss' && e.authorId !== e.moderatorId ? [e.authorId] : [];
    const flaggers = e.flaggerIds.filter((id) => id !== e.moderatorId && id !== e.authorId);
    return persist([
      ...author.map((memberId) => ({
        memberId,
        kind: 'message_moderation',
        data: { ...base, as: 'author' as const, message: e.message }
      })),
      ...flaggers.map((memberId) => ({ memberId, kind: 'message_moderation', data: { ...base, as: 'flagger' as const } }))
    ]);
  });
}
