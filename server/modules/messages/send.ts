import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { DAY, MINUTE } from '../../shared/clock.ts';
import { Conflict, Invalid, NotFound, TooManyRequests } from '../../shared/errors.ts';
import { parseMarkdown, renderParsed } from '../../shared/markdown.ts';
import { PrivacyCheckRequired } from '../../shared/privacyGuard.ts';
import { privacyFindings } from '../discussions/compose.ts';
import { markMessagesNotificationRead } from '../notifications/service.ts';
import { otherOf, readableConversation, recipientState } from './access.ts';
import { ensureConversation, insertMessage, readingState } from './store.ts';

export const MESSAGE_MAX = 10_000;

export interface MessageInput {
  body: string;
  /** The sender saw the privacy check's findings and confirms none of it identifies a victim. */
  confirmPrivacy?: boolean;
}

interface Composed {
  body: string;
  html: string;
  text: string;
}

/** Validate, render (sanitized) and privacy-check a message before it is stored: 400, or 422 privacy_check. */
function composeMessage(ctx: Ctx, input: MessageInput): Composed {
  const body = input.body.replace(/\r\n?/g, '\n');
  if (body.trim().length === 0) throw new Invalid('Write your message first.', { body: 'Write your message first.' });
  if (body.length > MESSAGE_MAX) {
    throw new Invalid(`A message can be at most ${MESSAGE_MAX.toLocaleString('en-US')} characters.`, {
      body: `At most ${MESSAGE_MAX.toLocaleString('en-US')} characters.`
    });
  }
  // Mentions stay plain text: resolving them would print a member's name the profile may hide.
  const rendered = renderParsed(parseMarkdown(body), new Map());
  const findings = privacyFindings(ctx, body);
  if (findings.length > 0 && input.confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);
  return { body, html: rendered.html, text: rendered.text };
}

/** MESSAGES_PER_MINUTE and MESSAGES_PER_DAY per sender; checked after validation, so a refused message does not count. */
function checkSendRate(ctx: Ctx): void {
  const { messagesPerMinute, messagesPerDay } = ctx.config;
  const wait = ctx.limiter.hit(
    `message:${ctx.actor!.id}`,
    [
      { limit: messagesPerMinute, windowMs: MINUTE },
      { limit: messagesPerDay, windowMs: DAY }
    ],
    ctx.clock.now()
  );
  if (wait === 0) return;
  if (wait > 60) {
    const hours = Math.ceil(wait / 3600);
    throw new TooManyRequests(
      `You have sent ${messagesPerDay} messages in the last 24 hours, the most allowed. You can send more in about ${hours} hour${hours === 1 ? '' : 's'}.`,
      wait
    );
  }
  throw new TooManyRequests(
    `You are sending messages too quickly: you can send another in ${wait} second${wait === 1 ? '' : 's'}.`,
    wait
  );
}

/** Why a member cannot be written to, in words (the caller already knows they exist). */
function refuseRecipient(ctx: Ctx, recipientId: number): void {
  const recipient = recipientState(ctx.db, recipientId);
  if (recipientId === ctx.actor!.id) {
    throw new Invalid('You cannot send a message to yourself.', { to: 'Choose another member.' });
  }
  if (!recipient) throw new NotFound('That member was not found.');
  if (!can(ctx.actor, 'message.send', recipient)) {
    throw new Conflict('This member cannot receive messages at the moment: their account is not active.');
  }
}

export interface Sent {
  conversationId: number;
  messageId: number;
}

async function deliver(ctx: Ctx, recipientId: number, input: MessageInput): Promise<Sent> {
  authorize(ctx.actor, 'messages.use');
  const me = ctx.actor.id;
  refuseRecipient(ctx, recipientId);
  const composed = composeMessage(ctx, input);
  checkSendRate(ctx);
  const now = ctx.clock.now();
  const { sent, hadUnread } = await ctx.writes.run((tx) => {
    // The recipient may have been suspended since the check above (group commit runs a little later).
    refuseRecipient(ctx, recipientId);
    const conversationId = ensureConversation(tx, me, recipientId, now);
    const hadUnread = (readingState(tx, conversationId, me)?.unreadCount ?? 0) > 0;
    const messageId = insertMessage(tx, { conversationId, senderId: me, ...composed, now });
    return { sent: { conversationId, messageId }, hadUnread };
  });
  // Answered once the recipient's notification is stored: a 2xx means it cannot be lost.
  await ctx.bus.publish({
    type: 'message.sent',
    messageId: sent.messageId,
    conversationId: sent.conversationId,
    senderId: me,
    recipientId
  });
  // Replying reads the conversation: the sender's own notice about it and badge follow.
  if (hadUnread) {
    markMessagesNotificationRead(ctx, sent.conversationId);
    void ctx.bus.publish({ type: 'messages.read', memberId: me, conversationId: sent.conversationId });
  }
  return sent;
}

/** POST /messages: to a member, in the pair's one conversation (made on the first message). */
export function sendMessage(ctx: Ctx, input: MessageInput & { to: number }): Promise<Sent> {
  return deliver(ctx, input.to, input);
}

/** POST /messages/conversations/:id: a reply in a conversation the sender is in. */
export function replyInConversation(ctx: Ctx, conversationId: number, input: MessageInput): Promise<Sent> {
  authorize(ctx.actor, 'messages.use');
  const conversation = readableConversation(ctx, conversationId);
  return deliver(ctx, otherOf(conversation, ctx.actor.id), input);
}
