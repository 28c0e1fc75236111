import type { MemberStatus } from '../../db/schema/index.ts';
import { isActiveMember, type Actor } from './actor.ts';
import { moderates } from './discussions.ts';

/**
 * Direct messages. A conversation is read by its two members and by no one else — staff included:
 * a moderator reads a message only through a flag on it, in the moderation queue (every view audited).
 * The read rule has two shapes that must agree (tests/api/messages-access.test.ts checks them):
 *  - inConversation(actor, conversation): one conversation, in JS;
 *  - MY_CONVERSATIONS_SQL: the same rule as SQL for lists (bind @me with the actor's id, @active).
 */

export interface ConversationState {
  memberLow: number;
  memberHigh: number;
}

export interface MessageState {
  senderId: number;
  conversation: ConversationState;
  deletedAt: number | null;
  purgedAt: number | null;
}

/** The other side, as the send rule sees them. */
export interface RecipientState {
  id: number;
  status: MemberStatus;
  /** Finished activation (accepted the notice): can read what they are sent. */
  activated: boolean;
}

export function inConversation(actor: Actor | null, c: ConversationState | undefined): actor is Actor {
  return isActiveMember(actor) && c !== undefined && (c.memberLow === actor.id || c.memberHigh === actor.id);
}

/** Conversation ids the reader may open. Bind @me (the actor's id, or -1) and @active (1 when an active member). */
export const MY_CONVERSATIONS_SQL = `SELECT mc.id FROM conversations mc WHERE @active = 1 AND (mc.member_low = @me OR mc.member_high = @me)`;

export function conversationParams(actor: Actor | null): { me: number; active: 0 | 1 } {
  return { me: actor?.id ?? -1, active: isActiveMember(actor) ? 1 : 0 };
}

export const mayReceiveMessages = (r: RecipientState | undefined): boolean =>
  r !== undefined && r.status === 'active' && r.activated;

export const messagesPolicy = {
  /** Route gate of every member message route; each conversation is then checked below. */
  'messages.use': (actor: Actor | null) => isActiveMember(actor),
  /** The message-flag queue and its decisions: the only door by which staff read a message. */
  'messages.moderate': (actor: Actor | null) => moderates(actor),
  'conversation.read': (actor: Actor | null, c?: ConversationState) => inConversation(actor, c),
  /** Start or continue a conversation: both sides active, never with yourself. */
  'message.send': (actor: Actor | null, r?: RecipientState) =>
    isActiveMember(actor) && r !== undefined && r.id !== actor.id && mayReceiveMessages(r),
  'message.delete': (actor: Actor | null, m?: MessageState) =>
    m !== undefined && inConversation(actor, m.conversation) && m.senderId === actor.id && m.deletedAt === null,
  /** The other side's message, while its text is there to judge. */
  'message.flag': (actor: Actor | null, m?: MessageState) =>
    m !== undefined &&
    inConversation(actor, m.conversation) &&
    m.senderId !== actor.id &&
    m.deletedAt === null &&
    m.purgedAt === null
};
