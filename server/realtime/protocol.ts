import type { NotificationView } from '../modules/notifications/present.ts';

/**
 * The wire protocol of GET /api/ws: JSON text frames, one message each.
 *
 * Connect with the session cookie and ?after=<the last notification id the client saw> (from a
 * previous message, or `lastId` of GET /api/notifications). The first message is `hello` or
 * `reset`. Notification ids only grow: they are the event ids to remember. Thread and read-state
 * messages are not stored and carry no id (they are not replayed: reload the thread or the list
 * after a reconnect). Every message to the member's own room carries the current unread count.
 */
export type ServerMessage =
  /** Replay follows: `replaying` notifications, oldest first, each with replay: true. */
  | { type: 'hello'; lastId: number; unreadCount: number; replaying: number }
  /** Too much was missed (over 7 days or 1,000 notifications) or the cursor is unknown: reload lists, remember lastId. */
  | { type: 'reset'; lastId: number; unreadCount: number }
  | { type: 'notification'; id: number; notification: NotificationView; unreadCount: number; replay?: true }
  /** Marked read (here or in another tab): ids, or null for "all up to now". */
  | { type: 'read'; ids: number[] | null; unreadCount: number }
  | { type: 'subscribed'; thread: number }
  /** Asked for, or the member may no longer read the thread. */
  | { type: 'unsubscribed'; thread: number }
  /** Live thread: fetch the post through the API (GET /api/discussions/posts/:id) to show it. */
  | { type: 'post.created'; thread: number; postId: number; number: number; authorId: number }
  | { type: 'post.edited' | 'post.hidden' | 'post.deleted' | 'post.restored'; thread: number; postId: number }
  | { type: 'thread.changed'; thread: number; action: string }
  /** Staff room (moderators): the flag queue changed. */
  | { type: 'flags.changed' }
  /**
   * Direct messages, to the member's own room: a new message in one of their conversations (from the
   * other side, or from themselves in another tab). Fetch GET /api/messages/:messageId to show it.
   */
  | { type: 'message.created'; conversation: number; messageId: number; from: number }
  /** A message was hidden, deleted, purged or shown again: fetch it again. */
  | { type: 'message.changed'; conversation: number; messageId: number }
  /** The member's unread direct messages in all (the nav badge). */
  | { type: 'messages.unread'; count: number }
  | { type: 'error'; code: 'invalid' | 'not_found' | 'too_many_threads'; message: string; thread?: number };

export type ClientMessage = { type: 'subscribe'; thread: number } | { type: 'unsubscribe'; thread: number };

/**
 * Close codes. Reconnect (with backoff and jitter) after 1001, 1006 and 1011; do not after 4401
 * (signed out: go to sign-in) or 4403 (access ended); after 4409 only when the tab is used again.
 */
export const CLOSE = {
  restarting: 1001,
  policy: 1008,
  sessionEnded: 4401,
  accessEnded: 4403,
  tooManySockets: 4409
} as const;
