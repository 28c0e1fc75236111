import type { DbOrTx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { can, type Actor } from '../../policies/index.ts';
import type { ConversationState, MessageState, RecipientState } from '../../policies/messages.ts';
import { NotFound } from '../../shared/errors.ts';
import { get } from '../discussions/sql.ts';
import { conversationRow, messageRow, type ConversationRow, type MessageRow } from './store.ts';

/** Outsiders — moderators included — are told the same as for an id that does not exist. */
export const CONVERSATION_NOT_FOUND = 'That conversation was not found.';
export const MESSAGE_NOT_FOUND = 'That message was not found.';

export const otherOf = (c: ConversationState, me: number) => (c.memberLow === me ? c.memberHigh : c.memberLow);

export function readableConversation(ctx: Ctx, id: number): ConversationRow {
  const row = conversationRow(ctx.db, id);
  if (!row || !can(ctx.actor, 'conversation.read', row)) throw new NotFound(CONVERSATION_NOT_FOUND);
  return row;
}

export interface LoadedMessage {
  message: MessageRow;
  conversation: ConversationRow;
  state: MessageState;
}

export function messageState(message: MessageRow, conversation: ConversationState): MessageState {
  return { senderId: message.senderId, conversation, deletedAt: message.deletedAt, purgedAt: message.purgedAt };
}

export function loadMessage(db: DbOrTx, id: number): LoadedMessage | null {
  const message = messageRow(db, id);
  const conversation = message ? conversationRow(db, message.conversationId) : undefined;
  return message && conversation ? { message, conversation, state: messageState(message, conversation) } : null;
}

export function readableMessage(ctx: Ctx, id: number): LoadedMessage {
  const loaded = loadMessage(ctx.db, id);
  if (!loaded || !can(ctx.actor, 'conversation.read', loaded.conversation)) throw new NotFound(MESSAGE_NOT_FOUND);
  return loaded;
}

export function recipientState(db: DbOrTx, id: number): RecipientState | undefined {
  const row = get<{ id: number; status: RecipientState['status']; noticeAcceptedAt: number | null }>(
    db,
    'SELECT id, status, notice_accepted_at AS noticeAcceptedAt FROM members WHERE id = @id',
    { id }
  );
  return row ? { id: row.id, status: row.status, activated: row.noticeAcceptedAt !== null } : undefined;
}

export type MessageVisibility = 'visible' | 'hidden' | 'deleted';

export interface MessageView {
  id: number;
  conversationId: number;
  fromMe: boolean;
  /** Sanitized on save; null unless visible. */
  html: string | null;
  at: number;
  state: MessageVisibility;
  /** What stands in for the text when it is not shown. */
  notice: string | null;
  canFlag: boolean;
  canDelete: boolean;
}

export function visibilityOf(m: Pick<MessageRow, 'deletedAt' | 'hiddenAt' | 'purgedAt'>): MessageVisibility {
  if (m.deletedAt !== null || m.purgedAt !== null) return 'deleted';
  return m.hiddenAt !== null ? 'hidden' : 'visible';
}

function noticeOf(m: MessageRow): string | null {
  if (m.purgedAt !== null || (m.deletedAt !== null && m.hiddenReason === 'removed')) return 'A moderator removed this message.';
  if (m.deletedAt !== null) return 'This message was deleted.';
  if (m.hiddenReason === 'pii_flag') return 'This message is hidden while a moderator reviews it.';
  if (m.hiddenAt !== null) return 'A moderator hid this message.';
  return null;
}

/** One message as a member of its conversation sees it (hidden and deleted text is never sent). */
export function presentMessage(actor: Actor, m: MessageRow, conversation: ConversationState, flaggedByMe: boolean): MessageView {
  const state = visibilityOf(m);
  const rule = messageState(m, conversation);
  return {
    id: m.id,
    conversationId: m.conversationId,
    fromMe: m.senderId === actor.id,
    html: state === 'visible' ? m.bodyHtml : null,
    at: m.createdAt,
    state,
    notice: noticeOf(m),
    canFlag: !flaggedByMe && can(actor, 'message.flag', rule),
    canDelete: can(actor, 'message.delete', rule)
  };
}
