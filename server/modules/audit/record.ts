import type { DbOrTx } from '../../../db/client.ts';
import { auditLog } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';

export type AuditAction =
  | 'suggestion.status_changed'
  | 'suggestion.deleted'
  | 'profile.updated'
  | 'spotlight.created'
  | 'spotlight.updated'
  | 'spotlight.deleted'
  | 'spotlight.scheduled'
  | 'spotlight.unscheduled'
  | 'spotlight.consent_decided'
  | 'spotlight.published'
  | 'message.flagged'
  | 'message.hidden_pending_review'
  | 'message.viewed_by_moderator'
  | 'message.purged'
  | 'message_moderation.dismissed'
  | 'message_moderation.hidden'
  | 'message_moderation.deleted'
  | 'message_moderation.warned'
  | 'resource.downloaded'
  | 'resource.deleted_by_moderator'
  | 'resource.restored'
  | 'resource_tags.merged'
  | 'retention.purged'
  | 'setup.admin_created'
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.lockout'
  | 'auth.mfa_failed'
  | 'auth.sign_out'
  | 'auth.password_changed'
  | 'auth.password_reset'
  | 'auth.password_reset_requested'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.recovery_codes_regenerated'
  | 'mfa.recovery_code_used'
  | 'session.revoked'
  | 'member.activated'
  | 'member.notice_accepted'
  | 'membership.in_review'
  | 'membership.approved'
  | 'membership.declined'
  | 'membership.info_requested'
  | 'member.role_changed'
  | 'member.suspended'
  | 'member.reinstated'
  | 'member.unlocked'
  | 'member.access_extended'
  | 'member.expired'
  | 'member.disabled'
  | 'task_force.created'
  | 'task_force.updated'
  | 'settings.changed'
  | 'audit.exported'
  | 'category.created'
  | 'category.updated'
  | 'thread.pinned'
  | 'thread.unpinned'
  | 'thread.locked'
  | 'thread.unlocked'
  | 'thread.closed'
  | 'thread.reopened'
  | 'thread.moved'
  | 'thread.deleted'
  | 'thread.restored'
  | 'post.deleted_by_moderator'
  | 'post.restored'
  | 'post.flagged'
  | 'post.hidden_pending_review'
  | 'post.purged'
  | 'moderation.dismissed'
  | 'moderation.hidden'
  | 'moderation.edited'
  | 'moderation.deleted'
  | 'moderation.warned';

export interface AuditEntry {
  action: AuditAction;
  outcome?: 'success' | 'failure';
  targetType?: string;
  targetId?: string | number | null;
  /** Never a password, token or code. */
  detail?: Record<string, unknown>;
  /** Who acted, when not the request's actor (a sign-in attempt names the account tried). */
  actorId?: number | null;
  actorEmail?: string | null;
}

/** Append one row to the audit log, inside the caller's transaction when there is one. */
export function recordAudit(db: DbOrTx, ctx: Pick<Ctx, 'actor' | 'ip' | 'userAgent' | 'clock'>, entry: AuditEntry): void {
  db.insert(auditLog)
    .values({
      at: ctx.clock.now(),
      actorId: entry.actorId !== undefined ? entry.actorId : (ctx.actor?.id ?? null),
      actorEmail: entry.actorEmail !== undefined ? entry.actorEmail : (ctx.actor?.email ?? null),
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
      outcome: entry.outcome ?? 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent.slice(0, 300),
      detail: entry.detail ?? null
    })
    .run();
}
