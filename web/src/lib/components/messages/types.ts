/**
 * Direct messages: the shapes the API answers with (server/modules/messages, contract in
 * /work/briefs/s4/messages-api.md) and the words shown for its codes. Browser-safe: no API calls.
 */

export interface Person {
  id: number;
  /** Already decided by the server's visibility rule: the web never decides what name to show. */
  displayName: string;
  photoUrl: string | null;
}

export type MessageState = 'visible' | 'hidden' | 'deleted';

export interface Message {
  id: number;
  conversationId: number;
  fromMe: boolean;
  html: string | null;
  at: number;
  state: MessageState;
  notice: string | null;
  canFlag: boolean;
  canDelete: boolean;
}

export interface ConversationSummary {
  id: number;
  other: Person;
  /** excerpt is null when the last message is hidden or deleted. */
  last: { excerpt: string | null; at: number; fromMe: boolean } | null;
  lastMessageAt: number;
  unreadCount: number;
}

export interface Inbox {
  conversations: ConversationSummary[];
  next: string | null;
  unreadTotal: number;
}

export interface ConversationPage {
  conversation: { id: number; other: Person; unreadCount: number; canSend: boolean; lastReadMessageId: number };
  messages: Message[];
  before: number | null;
}

export interface Recipient {
  member: Person;
  conversationId: number | null;
  canMessage: boolean;
  reason: string | null;
}

export type MessageFlagReason = 'pii' | 'inappropriate' | 'harassment' | 'other';

export const MESSAGE_FLAG_REASONS: readonly MessageFlagReason[] = ['pii', 'inappropriate', 'harassment', 'other'];

export const MESSAGE_FLAG_REASON_LABELS: Record<MessageFlagReason, string> = {
  pii: 'Victim-identifying information',
  inappropriate: 'Inappropriate',
  harassment: 'Harassment',
  other: 'Other'
};

export const isMessageFlagReason = (value: string): value is MessageFlagReason =>
  (MESSAGE_FLAG_REASONS as readonly string[]).includes(value);

/** The API's limit (1–10,000 characters). */
export const MESSAGE_MAX = 10_000;

/** Same rule as the discussions composer, in the words of a message. */
export const MESSAGE_PRIVACY_RULE =
  'Never send information that could identify a victim: names, dates of birth, addresses, phone numbers, case or docket numbers.';

/**
 * What every message form action answers (success or fail()): the page shows it beside the form
 * that sent it (scope, messageId).
 */
export interface MessageOutcome {
  scope: 'composer' | 'message' | 'read';
  messageId?: number;
  success?: string;
  message?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
  findings?: { kind: string; label: string; excerpt: string }[];
  /** After a read: the member's unread direct messages, for the nav link. */
  unreadTotal?: number;
}

export function messageOutcomeOf(form: unknown): MessageOutcome | null {
  return form && typeof form === 'object' && 'scope' in form ? (form as MessageOutcome) : null;
}
