import type { DbOrTx } from '../../../db/client.ts';
import { all, get, run } from '../discussions/sql.ts';

/** SQL for conversations, their members' reading state and messages. */

export interface ConversationRow {
  id: number;
  memberLow: number;
  memberHigh: number;
  lastMessageId: number | null;
  lastMessageAt: number | null;
  createdAt: number;
}

export interface MessageRow {
  id: number;
  conversationId: number;
  senderId: number;
  bodyHtml: string;
  bodyText: string;
  createdAt: number;
  deletedAt: number | null;
  hiddenAt: number | null;
  hiddenReason: string | null;
  purgedAt: number | null;
}

export const MESSAGE_COLUMNS = `msg.id, msg.conversation_id AS conversationId, msg.sender_id AS senderId, msg.body_html AS bodyHtml,
  msg.body_text AS bodyText, msg.created_at AS createdAt, msg.deleted_at AS deletedAt, msg.hidden_at AS hiddenAt,
  msg.hidden_reason AS hiddenReason, msg.purged_at AS purgedAt`;

const CONVERSATION_COLUMNS = `id, member_low AS memberLow, member_high AS memberHigh, last_message_id AS lastMessageId,
  last_message_at AS lastMessageAt, created_at AS createdAt`;

export const pairOf = (a: number, b: number): [number, number] => (a < b ? [a, b] : [b, a]);

export function conversationRow(db: DbOrTx, id: number): ConversationRow | undefined {
  return get<ConversationRow>(db, `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = @id`, { id });
}

export function conversationOfPair(db: DbOrTx, a: number, b: number): ConversationRow | undefined {
  const [low, high] = pairOf(a, b);
  return get<ConversationRow>(
    db,
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE member_low = @low AND member_high = @high`,
    {
      low,
      high
    }
  );
}

export function messageRow(db: DbOrTx, id: number): MessageRow | undefined {
  return get<MessageRow>(db, `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.id = @id`, { id });
}

/** The pair's conversation, created on its first message (the unique pair index makes it one, whoever writes first). */
export function ensureConversation(tx: DbOrTx, a: number, b: number, now: number): number {
  const [low, high] = pairOf(a, b);
  const created = run(
    tx,
    `INSERT INTO conversations (member_low, member_high, created_at) VALUES (@low, @high, @now)
     ON CONFLICT (member_low, member_high) DO NOTHING`,
    { low, high, now }
  );
  const id = created.changes > 0 ? Number(created.lastInsertRowid) : conversationOfPair(tx, a, b)!.id;
  if (created.changes > 0) {
    for (const memberId of [low, high]) {
      run(tx, 'INSERT INTO conversation_members (conversation_id, member_id) VALUES (@id, @memberId)', { id, memberId });
    }
  }
  return id;
}

/**
 * Unread = the other side's messages after the member's read mark, not deleted (a hidden one still
 * arrived: its placeholder is news). Recounted in the writing transaction, so the badge is exact.
 */
export function recountUnread(tx: DbOrTx, conversationId: number, memberId: number): number {
  return get<{ n: number }>(
    tx,
    `UPDATE conversation_members SET unread_count = (
       SELECT count(*) FROM messages msg WHERE msg.conversation_id = @conversationId AND msg.sender_id <> @memberId
         AND msg.id > conversation_members.last_read_message_id AND msg.deleted_at IS NULL)
     WHERE conversation_id = @conversationId AND member_id = @memberId RETURNING unread_count AS n`,
    { conversationId, memberId }
  )!.n;
}

/** Store one message; the sender has read the conversation up to it, the other side has one more unread. */
export function insertMessage(
  tx: DbOrTx,
  m: { conversationId: number; senderId: number; body: string; html: string; text: string; now: number }
): number {
  const id = Number(
    run(
      tx,
      `INSERT INTO messages (conversation_id, sender_id, body, body_html, body_text, created_at)
       VALUES (@conversationId, @senderId, @body, @html, @text, @now)`,
      m
    ).lastInsertRowid
  );
  run(tx, 'UPDATE conversations SET last_message_id = @id, last_message_at = @now WHERE id = @conversationId', {
    id,
    now: m.now,
    conversationId: m.conversationId
  });
  run(
    tx,
    `UPDATE conversation_members SET last_message_at = @now,
       unread_count = CASE WHEN member_id = @senderId THEN 0 ELSE unread_count + 1 END,
       last_read_message_id = CASE WHEN member_id = @senderId THEN @id ELSE last_read_message_id END
     WHERE conversation_id = @conversationId`,
    { id, now: m.now, senderId: m.senderId, conversationId: m.conversationId }
  );
  return id;
}

export function readingState(db: DbOrTx, conversationId: number, memberId: number) {
  return get<{ lastReadMessageId: number; unreadCount: number }>(
    db,
    `SELECT last_read_message_id AS lastReadMessageId, unread_count AS unreadCount FROM conversation_members
     WHERE conversation_id = @conversationId AND member_id = @memberId`,
    { conversationId, memberId }
  );
}

/** The member's unread direct messages in all (the nav badge: one indexed sum). */
export function unreadMessageTotal(db: DbOrTx, memberId: number): number {
  return (
    get<{ n: number | null }>(db, 'SELECT sum(unread_count) AS n FROM conversation_members WHERE member_id = @memberId', {
      memberId
    })!.n ?? 0
  );
}

/** Ids of messages in this conversation this member flagged and that are still open. */
export function openFlagsBy(db: DbOrTx, memberId: number, messageIds: readonly number[]): Set<number> {
  if (messageIds.length === 0) return new Set();
  return new Set(
    all<{ id: number }>(
      db,
      `SELECT message_id AS id FROM message_flags WHERE flagger_id = @memberId AND resolved_at IS NULL
         AND message_id IN (SELECT value FROM json_each(@ids))`,
      { memberId, ids: JSON.stringify(messageIds) }
    ).map((r) => r.id)
  );
}
