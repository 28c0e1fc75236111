import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { conversationParams, MY_CONVERSATIONS_SQL } from '../../policies/messages.ts';
import { Invalid, NotFound } from '../../shared/errors.ts';
import { excerpt } from '../../shared/markdown.ts';
import { all, run } from '../discussions/sql.ts';
import { markMessagesNotificationRead } from '../notifications/service.ts';
import { otherOf, presentMessage, readableConversation, readableMessage, recipientState } from './access.ts';
import { peopleFor, personFor } from './people.ts';
import {
  conversationOfPair,
  MESSAGE_COLUMNS,
  openFlagsBy,
  readingState,
  recountUnread,
  unreadMessageTotal,
  type MessageRow
} from './store.ts';

const INBOX_PAGE = 20;
const THREAD_PAGE = 50;

function inboxCursor(after: string | undefined): { afterAt: number; afterId: number } | null {
  if (after === undefined) return null;
  const match = /^(\d{1,15})\.(\d{1,12})$/.exec(after);
  if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
  return { afterAt: Number(match[1]), afterId: Number(match[2]) };
}

/** My conversations, newest activity first (keyset pages on the inbox index). */
export function listConversations(ctx: Ctx, query: { after?: string; limit?: number }) {
  authorize(ctx.actor, 'messages.use');
  const actor = ctx.actor;
  const limit = query.limit ?? INBOX_PAGE;
  const cursor = inboxCursor(query.after);
  const rows = all<{
    id: number;
    otherId: number;
    unreadCount: number;
    lastMessageAt: number;
    lastSenderId: number | null;
    lastAt: number | null;
    lastText: string | null;
  }>(
    ctx.db,
    `SELECT c.id, CASE WHEN c.member_low = @me THEN c.member_high ELSE c.member_low END AS otherId,
       cm.unread_count AS unreadCount, cm.last_message_at AS lastMessageAt,
       lm.sender_id AS lastSenderId, lm.created_at AS lastAt,
       CASE WHEN lm.deleted_at IS NULL AND lm.hidden_at IS NULL AND lm.purged_at IS NULL THEN lm.body_text END AS lastText
     FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
       LEFT JOIN messages lm ON lm.id = c.last_message_id
     WHERE cm.member_id = @me AND c.id IN (${MY_CONVERSATIONS_SQL}) AND cm.last_message_at IS NOT NULL
       ${cursor ? 'AND (cm.last_message_at < @afterAt OR (cm.last_message_at = @afterAt AND c.id < @afterId))' : ''}
     ORDER BY cm.last_message_at DESC, c.id DESC LIMIT @limit`,
    { ...conversationParams(actor), limit: limit + 1, ...(cursor ?? {}) }
  );
  const shown = rows.slice(0, limit);
  const people = peopleFor(
    ctx.db,
    actor,
    shown.map((r) => r.otherId)
  );
  const last = shown[shown.length - 1];
  return {
    conversations: shown.map((r) => ({
      id: r.id,
      other: people.get(r.otherId) ?? personFor(ctx.db, actor, r.otherId),
      last:
        r.lastAt === null
          ? null
          : { excerpt: r.lastText === null ? null : excerpt(r.lastText, 140), at: r.lastAt, fromMe: r.lastSenderId === actor.id },
      lastMessageAt: r.lastMessageAt,
      unreadCount: r.unreadCount
    })),
    next: rows.length > limit && last ? `${last.lastMessageAt}.${last.id}` : null,
    unreadTotal: unreadMessageTotal(ctx.db, actor.id)
  };
}

/** A page of one conversation, oldest to newest; `before` pages back. Only its two members (404 to anyone else). */
export function getConversation(ctx: Ctx, conversationId: number, query: { before?: number; limit?: number }) {
  authorize(ctx.actor, 'messages.use');
  const actor = ctx.actor;
  const conversation = readableConversation(ctx, conversationId);
  const limit = query.limit ?? THREAD_PAGE;
  const rows = all<MessageRow>(
    ctx.db,
    `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.conversation_id = @conversationId AND msg.id < @before
     ORDER BY msg.id DESC LIMIT @limit`,
    { conversationId, before: query.before ?? Number.MAX_SAFE_INTEGER, limit: limit + 1 }
  );
  const shown = rows.slice(0, limit).reverse();
  const flagged = openFlagsBy(
    ctx.db,
    actor.id,
    shown.map((m) => m.id)
  );
  const otherId = otherOf(conversation, actor.id);
  const reading = readingState(ctx.db, conversationId, actor.id);
  return {
    conversation: {
      id: conversation.id,
      other: personFor(ctx.db, actor, otherId),
      unreadCount: reading?.unreadCount ?? 0,
      lastReadMessageId: reading?.lastReadMessageId ?? 0,
      canSend: can(actor, 'message.send', recipientState(ctx.db, otherId))
    },
    messages: shown.map((m) => presentMessage(actor, m, conversation, flagged.has(m.id))),
    before: rows.length > limit ? (shown[0]?.id ?? null) : null
  };
}

/** One message (the live fetch after a push): the same rule and shape as the conversation page. */
export function getMessage(ctx: Ctx, messageId: number) {
  authorize(ctx.actor, 'messages.use');
  const { message, conversation } = readableMessage(ctx, messageId);
  const flagged = openFlagsBy(ctx.db, ctx.actor.id, [message.id]).has(message.id);
  return { message: presentMessage(ctx.actor, message, conversation, flagged) };
}

/** Read up to a message: the unread count is recounted in the same transaction; its notification is read too. */
export async function markConversationRead(ctx: Ctx, conversationId: number, upTo: number) {
  authorize(ctx.actor, 'messages.use');
  const me = ctx.actor.id;
  const conversation = readableConversation(ctx, conversationId);
  const { unreadCount, changed } = await ctx.writes.run((tx) => {
    const before = readingState(tx, conversationId, me);
    const mark = Math.min(upTo, conversation.lastMessageId ?? 0);
    if (before && mark > before.lastReadMessageId) {
      run(
        tx,
        'UPDATE conversation_members SET last_read_message_id = @mark WHERE conversation_id = @conversationId AND member_id = @me',
        { mark, conversationId, me }
      );
    }
    const unreadCount = recountUnread(tx, conversationId, me);
    return { unreadCount, changed: unreadCount !== (before?.unreadCount ?? 0) };
  });
  if (unreadCount === 0) markMessagesNotificationRead(ctx, conversationId);
  if (changed) void ctx.bus.publish({ type: 'messages.read', memberId: me, conversationId });
  return { unreadCount, unreadTotal: unreadMessageTotal(ctx.db, me) };
}

/** Before writing to someone: who they are to me, and whether we already talk (the "new message" page). */
export function recipientFor(ctx: Ctx, memberId: number) {
  authorize(ctx.actor, 'messages.use');
  const actor = ctx.actor;
  const state = recipientState(ctx.db, memberId);
  // Members who cannot be written to and are not active are not shown at all (no oracle on accounts).
  if (!state || (state.status !== 'active' && memberId !== actor.id)) throw new NotFound('That member was not found.');
  const canMessage = can(actor, 'message.send', state);
  return {
    member: personFor(ctx.db, actor, memberId),
    conversationId: memberId === actor.id ? null : (conversationOfPair(ctx.db, actor.id, memberId)?.id ?? null),
    canMessage,
    reason: canMessage
      ? null
      : memberId === actor.id
        ? 'You cannot send a message to yourself.'
        : 'This member cannot receive messages at the moment.'
  };
}
