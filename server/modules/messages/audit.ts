import type { DbOrTx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { recordAudit, type AuditAction, type AuditEntry } from '../audit/record.ts';

/** What the message moderation writes to the audit log. Never a message's text. */
export type MessageAuditAction = Extract<AuditAction, `message.${string}` | `message_moderation.${string}`>;

export function auditMessage(
  db: DbOrTx,
  ctx: Pick<Ctx, 'actor' | 'ip' | 'userAgent' | 'clock'>,
  entry: Omit<AuditEntry, 'action' | 'targetType'> & { action: MessageAuditAction }
): void {
  recordAudit(db, ctx, { ...entry, action: entry.action, targetType: 'message' });
}
