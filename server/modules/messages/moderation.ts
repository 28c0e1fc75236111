import type { DbOrTx } from '../../../db/client.ts';
import type { MessageFlagReason } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { Conflict, Invalid, NotFound } from '../../shared/errors.ts';
import { all, get, run } from '../discussions/sql.ts';
import { loadMessage, visibilityOf } from './access.ts';
import { auditMessage, type MessageAuditAction } from './audit.ts';
import { deleteMessageWrites, hideMessageWrites, membersOf } from './flags.ts';
import { MESSAGE_COLUMNS, type MessageRow } from './store.ts';

/**
 * The message-flag queue: the only door by which staff read a direct message — the flagged message
 * and the three before it, for context; every view is audited. Decisions resolve every open flag of
 * the message, are audited and published (the sender and those who flagged are told).
 */

const QUEUE_PAGE = 20;
const CONTEXT_MESSAGES = 3;

interface QueueRow {
  messageId: number;
  firstFlaggedAt: number;
}

interface Named {
  id: number;
  name: string;
}

const nameOf = (db: DbOrTx, id: number): Named => ({
  id,
  name: get<{ name: string }>(db, 'SELECT name FROM members WHERE id = @id', { id })?.name ?? 'A member'
});

/** What a moderator is shown of a message: the text unless it is gone (deleted by its sender stays readable here). */
const moderatorHtml = (m: MessageRow) => (m.purgedAt !== null ? null : m.bodyHtml);

export function messageQueue(ctx: Ctx, query: { after?: string; limit?: number }) {
  authorize(ctx.actor, 'messages.moderate');
  const limit = query.limit ?? QUEUE_PAGE;
  let cursor: { afterAt: number; afterId: number } | null = null;
  if (query.after !== undefined) {
    const match = /^(\d{1,15})\.(\d{1,12})$/.exec(query.after);
    if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
    cursor = { afterAt: Number(match[1]), afterId: Number(match[2]) };
  }
  const rows = all<QueueRow>(
    ctx.db,
    `SELECT message_id AS messageId, min(created_at) AS firstFlaggedAt FROM message_flags WHERE resolved_at IS NULL
     GROUP BY message_id
     ${cursor ? 'HAVING min(created_at) > @afterAt OR (min(created_at) = @afterAt AND message_id > @afterId)' : ''}
     ORDER BY firstFlaggedAt, messageId LIMIT @limit`,
    { limit: limit + 1, ...(cursor ?? {}) }
  );
  const shown = rows.slice(0, limit);
  const items = shown.map((r) => queueItem(ctx, r)).filter((item) => item !== null);
  // Reading a direct message is an event of its own: one audit row per message shown, with its context.
  ctx.db.transaction((tx) => {
    for (const item of items) {
      auditMessage(tx, ctx, {
        action: 'message.viewed_by_moderator',
        targetId: item.message.id,
        detail: {
          conversationId: item.message.conversationId,
          flagIds: item.flags.map((f) => f.id),
          contextIds: item.context.map((c) => c.id)
        }
      });
    }
  });
  const last = shown[shown.length - 1];
  return { items, next: rows.length > limit && last ? `${last.firstFlaggedAt}.${last.messageId}` : null };
}

function queueItem(ctx: Ctx, row: QueueRow) {
  const loaded = loadMessage(ctx.db, row.messageId);
  if (!loaded) return null;
  const { message, conversation } = loaded;
  const recipientId = conversation.memberLow === message.senderId ? conversation.memberHigh : conversation.memberLow;
  const flags = all<{ id: number; reason: MessageFlagReason; note: string | null; createdAt: number; flaggerId: number }>(
    ctx.db,
    `SELECT id, reason, note, created_at AS createdAt, flagger_id AS flaggerId FROM message_flags
     WHERE message_id = @messageId AND resolved_at IS NULL ORDER BY id`,
    { messageId: message.id }
  );
  const context = all<MessageRow>(
    ctx.db,
    `SELECT ${MESSAGE_COLUMNS} FROM messages msg WHERE msg.conversation_id = @conversationId AND msg.id < @id
     ORDER BY msg.id DESC LIMIT ${CONTEXT_MESSAGES}`,
    { conversationId: conversation.id, id: message.id }
  ).reverse();
  return {
    firstFlaggedAt: row.firstFlaggedAt,
    message: {
      id: message.id,
      conversationId: conversation.id,
      author: nameOf(ctx.db, message.senderId),
      recipient: nameOf(ctx.db, recipientId),
      html: moderatorHtml(message),
      at: message.createdAt,
      state: visibilityOf(message),
      hiddenReason: message.hiddenReason
    },
    flags: flags.map((f) => ({
      id: f.id,
      reason: f.reason,
      note: f.note,
      createdAt: f.createdAt,
      flagger: nameOf(ctx.db, f.flaggerId)
    })),
    context: context.map((m) => ({
      id: m.id,
      author: nameOf(ctx.db, m.senderId),
      html: m.deletedAt !== null ? null : moderatorHtml(m),
      at: m.createdAt
    }))
  };
}

export type MessageOutcome = 'dismiss' | 'hide' | 'delete' | 'purge' | 'warn';

export interface MessageDecisionInput {
  outcome: MessageOutcome;
  /** warn: the words sent to the sender. */
  message?: string | null;
  /** The moderator's reason, for the audit log. */
  note?: string | null;
}

const AUDIT: Record<MessageOutcome, MessageAuditAction> = {
  dismiss: 'message_moderation.dismissed',
  hide: 'message_moderation.hidden',
  delete: 'message_moderation.deleted',
  purge: 'message.purged',
  warn: 'message_moderation.warned'
};

/** Decide on a flag (and with it every open flag of the same message). */
export async function decideMessageFlag(
  ctx: Ctx,
  flagId: number,
  input: MessageDecisionInput
): Promise<{ outcome: MessageOutcome }> {
  authorize(ctx.actor, 'messages.moderate');
  const flag = get<{ messageId: number; resolvedAt: number | null }>(
    ctx.db,
    'SELECT message_id AS messageId, resolved_at AS resolvedAt FROM message_flags WHERE id = @flagId',
    { flagId }
  );
  const loaded = flag ? loadMessage(ctx.db, flag.messageId) : null;
  if (!flag || !loaded) throw new NotFound('That flag was not found.');
  if (flag.resolvedAt !== null) throw new Conflict('This flag was already decided.');
  const words = input.message?.trim() || null;
  if (input.outcome === 'warn' && !words) {
    throw new Invalid('Write the warning to send to the sender.', { message: 'Required to warn.' });
  }
  const { message } = loaded;
  const moderatorId = ctx.actor.id;
  const now = ctx.clock.now();
  const note = input.note?.trim() || null;
  const flaggerIds = ctx.db.transaction((tx) => {
    switch (input.outcome) {
      case 'dismiss':
        if (message.hiddenReason === 'pii_flag' && message.hiddenAt !== null) {
          run(tx, 'UPDATE messages SET hidden_at = NULL, hidden_reason = NULL WHERE id = @id', { id: message.id });
        }
        break;
      case 'hide':
        if (message.hiddenAt === null || message.hiddenReason === 'pii_flag') hideMessageWrites(tx, message.id, 'moderator', now);
        break;
      case 'delete':
        deleteMessageWrites(tx, loaded, now, true);
        break;
      case 'purge':
        // The text goes for good: body, rendering, plain text, and the flag notes that may quote it.
        run(
          tx,
          `UPDATE messages SET body = '', body_html = '', body_text = '', purged_at = @now, deleted_at = coalesce(deleted_at, @now),
             hidden_reason = 'removed' WHERE id = @id`,
          { now, id: message.id }
        );
        run(tx, 'UPDATE message_flags SET note = NULL WHERE message_id = @id', { id: message.id });
        deleteMessageWrites(tx, loaded, now, true);
        break;
      case 'warn':
        break;
    }
    const flaggers = all<{ flaggerId: number }>(
      tx,
      `UPDATE message_flags SET resolved_at = @now, resolved_by = @moderatorId, outcome = @outcome
       WHERE message_id = @messageId AND resolved_at IS NULL RETURNING flagger_id AS flaggerId`,
      { now, moderatorId, outcome: input.outcome, messageId: message.id }
    ).map((r) => r.flaggerId);
    auditMessage(tx, ctx, {
      action: AUDIT[input.outcome],
      targetId: message.id,
      detail: {
        conversationId: loaded.conversation.id,
        senderId: message.senderId,
        flagId,
        flaggers,
        note,
        ...(words ? { message: words } : {})
      }
    });
    return flaggers;
  });
  const where = { messageId: message.id, conversationId: loaded.conversation.id, memberIds: membersOf(loaded) };
  if (input.outcome === 'hide') void ctx.bus.publish({ type: 'message.hidden', ...where, reason: 'moderator' });
  if (input.outcome === 'delete' || input.outcome === 'purge') {
    void ctx.bus.publish({ type: 'message.changed', ...where, change: input.outcome === 'purge' ? 'purged' : 'deleted' });
  }
  if (input.outcome === 'dismiss' && message.hiddenReason === 'pii_flag') {
    void ctx.bus.publish({ type: 'message.changed', ...where, change: 'restored' });
  }
  // Answered once the sender's and flaggers' notifications are stored.
  await ctx.bus.publish({
    type: 'message.moderated',
    messageId: message.id,
    conversationId: loaded.conversation.id,
    outcome: input.outcome,
    authorId: message.senderId,
    moderatorId,
    flaggerIds,
    message: words
  });
  return { outcome: input.outcome };
}
