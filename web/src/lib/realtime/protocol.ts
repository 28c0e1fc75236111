/**
 * The socket's messages as the browser sees them (mirrors server/realtime/protocol.ts; the web
 * build cannot import server code).
 */
export interface LiveNotification {
  id: number;
  kind: string;
  text: string;
  url: string | null;
  createdAt: number;
  readAt: number | null;
  actor: { id: number; name: string } | null;
  thread: { id: number; title: string } | null;
  excerpt: string | null;
  replaces: number | null;
}

export type ThreadMessage =
  | { type: 'post.created'; thread: number; postId: number; number: number; authorId: number }
  | { type: 'post.edited' | 'post.hidden' | 'post.deleted' | 'post.restored'; thread: number; postId: number }
  | { type: 'thread.changed'; thread: number; action: string };

/** Direct messages: pushed to the member's own room; the page fetches the message through the API. */
export type ConversationMessage =
  | { type: 'message.created'; conversation: number; messageId: number; from: number }
  | { type: 'message.changed'; conversation: number; messageId: number };

export type ServerMessage =
  | { type: 'hello'; lastId: number; unreadCount: number; replaying: number }
  | { type: 'reset'; lastId: number; unreadCount: number }
  | { type: 'notification'; id: number; notification: LiveNotification; unreadCount: number; replay?: true }
  | { type: 'read'; ids: number[] | null; unreadCount: number }
  | { type: 'subscribed' | 'unsubscribed'; thread: number }
  | ThreadMessage
  | ConversationMessage
  | { type: 'messages.unread'; count: number }
  | { type: 'flags.changed' }
  | { type: 'error'; code: string; message: string; thread?: number };

/** Close codes the client acts on. */
export const CLOSE = {
  sessionEnded: 4401,
  accessEnded: 4403,
  tooManySockets: 4409
} as const;

/** Exponential backoff with full jitter: many tabs coming back after a restart do not all knock at once. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
  return Math.round(500 + random() * ceiling);
}
