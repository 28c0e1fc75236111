import type { DbOrTx } from '../../../db/client.ts';
import type { MessageFlagReason } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { HOUR } from '../../shared/clock.ts';
import { Conflict, Forbidden, Invalid } from '../../shared/errors.ts';
import { checkActionRate } from '../discussions/compose.ts';
import { get, run } from '../discussions/sql.ts';
import { readableMessage, type LoadedMessage } from './access.ts';
import { auditMessage } from './audit.ts';
import { recountUnread } from './store.ts';

/**
 * Either member may flag the other's message; a PII flag ("identifies a victim") hides it at once for
 * both, pending review. The flag puts it in the moderators' queue — the only way staff read a message.
 */

export interface MessageFlagInput {
  reason: MessageFlagReason;
  note?: string | null;
}

export const membersOf = (l: LoadedMessage): [number, number] => [l.conversation.memberLow, l.conversation.memberHigh];

export function hideMessageWrites(tx: DbOrTx, messageId: number, reason: 'pii_flag' | 'moderator', now: number): void {
  run(tx, 'UPDATE messages SET hidden_at = @now, hidden_reason = @reason WHERE id = @messageId', { now, reason, messageId });
}

/** Soft delete; the other side's unread count drops if they had not read it yet. */
export function deleteMessageWrites(tx: DbOrTx, l: LoadedMessage, now: number, byModerator: boolean): void {
  run(
    tx,
    `UPDATE messages SET deleted_at = coalesce(deleted_at, @now),
       hidden_reason = CASE WHEN @byModerator = 1 THEN 'removed' ELSE hidden_reason END WHERE id = @id`,
    { now, id: l.message.id, byModerator: byModerator ? 1 : 0 }
  );
  for (const memberId of membersOf(l)) recountUnread(tx, l.conversation.id, memberId);
}

export function flagMessage(ctx: Ctx, messageId: number, input: MessageFlagInput): { flagId: number; hidden: boolean } {
  authorize(ctx.actor, 'messages.use');
  const loaded = readableMessage(ctx, messageId);
  const me = ctx.actor.id;
  if (!can(ctx.actor, 'message.flag', loaded.state)) {
    if (loaded.message.senderId === me) throw new Invalid('You cannot flag your own message: delete it instead.');
    throw new Conflict('This message was deleted.');
  }
  const note = input.note?.trim() || null;
  if (input.reason === 'other' && !note) {
    throw new Invalid('Say what is wrong with this message.', { note: 'Required when the reason is "other".' });
  }
  if (
    get(ctx.db, 'SELECT 1 FROM message_flags WHERE message_id = @messageId AND flagger_id = @me AND resolved_at IS NULL', {
      messageId,
      me
    })
  ) {
    throw new Conflict('You already flagged this message; a moderator will review it.');
  }
  checkActionRate(ctx, 'message-flag', 20, HOUR);
  const now = ctx.clock.now();
  const hide = input.reason === 'pii' && loaded.message.hiddenAt === null;
  const flagId = ctx.db.transaction((tx) => {
    const id = Number(
      run(
        tx,
        `INSERT INTO message_flags (message_id, flagger_id, reason, note, created_at) VALUES (@messageId, @me, @reason, @note, @now)`,
        { messageId, me, reason: input.reason, note, now }
      ).lastInsertRowid
    );
    auditMessage(tx, ctx, { action: 'message.flagged', targetId: messageId, detail: { reason: input.reason, flagId: id } });
    if (hide) {
      hideMessageWrites(tx, messageId, 'pii_flag', now);
      auditMessage(tx, ctx, { action: 'message.hidden_pending_review', targetId: messageId, detail: { flagId: id } });
    }
    return id;
  });
  const where = { messageId, conversationId: loaded.conversation.id, memberIds: membersOf(loaded) };
  void ctx.bus.publish({ type: 'message.flagged', flagId, ...where, flaggerId: me, reason: input.reason, hidden: hide });
  if (hide) void ctx.bus.publish({ type: 'message.hidden', ...where, reason: 'pii_flag' });
  return { flagId, hidden: hide };
}

/** The sender takes a message back: its text is gone for both (kept for a moderator only if it was flagged). */
export function deleteMessage(ctx: Ctx, messageId: number): { deleted: true } {
  authorize(ctx.actor, 'messages.use');
  const loaded = readableMessage(ctx, messageId);
  if (!can(ctx.actor, 'message.delete', loaded.state)) {
    if (loaded.message.deletedAt !== null) throw new Conflict('This message was already deleted.');
    throw new Forbidden('You can only delete messages you sent.');
  }
  ctx.db.transaction((tx) => deleteMessageWrites(tx, loaded, ctx.clock.now(), false));
  void ctx.bus.publish({
    type: 'message.changed',
    messageId,
    conversationId: loaded.conversation.id,
    memberIds: membersOf(loaded),
    change: 'deleted'
  });
  return { deleted: true };
}
