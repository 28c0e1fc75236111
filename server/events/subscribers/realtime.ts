import type { EventBus } from '../bus.ts';
import type { Hub } from '../../realtime/hub.ts';
import { CLOSE } from '../../realtime/protocol.ts';

/**
 * The hub is a subscriber of the bus: no route calls it. Every handler here only delivers to the
 * sockets of this process (see the note in server/realtime/hub.ts about several processes).
 */
export function subscribeRealtime(bus: EventBus, hub: Hub): void {
  bus.on('notification.created', (e) => hub.deliverNotification(e.memberId, e.notificationId));
  bus.on('notifications.read', (e) => hub.pushRead(e.memberId, e.ids));

  // Live thread: ids only; the page fetches the post through the API, under the HTTP policy.
  bus.on('post.created', (e) =>
    hub.toThread(e.threadId, {
      type: 'post.created',
      thread: e.threadId,
      postId: e.postId,
      number: e.number,
      authorId: e.authorId
    })
  );
  bus.on('post.edited', (e) => hub.toThread(e.threadId, { type: 'post.edited', thread: e.threadId, postId: e.postId }));
  bus.on('post.hidden', (e) => hub.toThread(e.threadId, { type: 'post.hidden', thread: e.threadId, postId: e.postId }));
  bus.on('post.deleted', (e) => hub.toThread(e.threadId, { type: 'post.deleted', thread: e.threadId, postId: e.postId }));
  bus.on('post.restored', (e) => hub.toThread(e.threadId, { type: 'post.restored', thread: e.threadId, postId: e.postId }));
  bus.on('post.purged', (e) => hub.toThread(e.threadId, { type: 'post.edited', thread: e.threadId, postId: e.postId }));
  // A move or a delete can take the thread out of a viewer's reach: toThread re-checks and lets them go.
  bus.on('thread.moderated', (e) => hub.toThread(e.threadId, { type: 'thread.changed', thread: e.threadId, action: e.action }));
  bus.on('post.flagged', () => hub.toModerators({ type: 'flags.changed' }));
  bus.on('moderation.outcome', () => hub.toModerators({ type: 'flags.changed' }));

  // Direct messages: only to the conversation's two members (their own rooms); ids only, the page
  // fetches the message through the API (GET /api/messages/:id) under the HTTP policy.
  bus.on('message.sent', (e) => {
    const created = {
      type: 'message.created',
      conversation: e.conversationId,
      messageId: e.messageId,
      from: e.senderId
    } as const;
    hub.toMember(e.recipientId, created);
    hub.toMember(e.senderId, created);
    hub.pushUnreadMessages(e.recipientId);
  });
  for (const type of ['message.hidden', 'message.changed'] as const) {
    bus.on(type, (e) => {
      for (const memberId of e.memberIds) {
        hub.toMember(memberId, { type: 'message.changed', conversation: e.conversationId, messageId: e.messageId });
        hub.pushUnreadMessages(memberId);
      }
    });
  }
  bus.on('messages.read', (e) => hub.pushUnreadMessages(e.memberId));
  bus.on('message.flagged', () => hub.toModerators({ type: 'flags.changed' }));
  bus.on('message.moderated', () => hub.toModerators({ type: 'flags.changed' }));

  // Ended sessions and access close their sockets at once.
  bus.on('session.revoked', (e) => hub.closeSessions(e.sessionIds, CLOSE.sessionEnded, 'signed out'));
  bus.on('member.suspended', (e) => hub.closeMember(e.memberId, CLOSE.accessEnded, 'account suspended'));
  bus.on('member.access_ended', (e) => hub.closeMember(e.memberId, CLOSE.accessEnded, 'access ended'));
  bus.on('member.role_changed', (e) => hub.refreshMember(e.memberId));
}
