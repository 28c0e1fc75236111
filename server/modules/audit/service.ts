import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { auditLog } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { recordAudit } from './record.ts';

export interface AuditQuery {
  actor?: string;
  action?: string;
  from?: number;
  to?: number;
  before?: number;
  limit?: number;
}

function filters(q: AuditQuery): SQL | undefined {
  const actor = q.actor?.trim();
  return and(
    actor
      ? /^\d+$/.test(actor)
        ? eq(auditLog.actorId, Number(actor))
        : // instr, not LIKE: % and _ typed in a filter are plain characters.
          sql`instr(${auditLog.actorEmail}, ${actor.toLowerCase()}) > 0`
      : undefined,
    q.action
      ? or(eq(auditLog.action, q.action), sql`substr(${auditLog.action}, 1, ${q.action.length + 1}) = ${q.action + '.'}`)
      : undefined,
    q.from !== undefined ? gte(auditLog.at, q.from) : undefined,
    q.to !== undefined ? lte(auditLog.at, q.to) : undefined
  );
}

/** Newest first, keyset-paged by id. */
export function listAudit(ctx: Ctx, q: AuditQuery) {
  authorize(ctx.actor, 'audit.view');
  const limit = q.limit ?? 50;
  const rows = ctx.db
    .select()
    .from(auditLog)
    .where(and(filters(q), q.before ? lt(auditLog.id, q.before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return { entries: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
}

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Spreadsheet formula injection: a cell must not start with = + - @ tab or CR.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The filtered log as CSV, streamed row by row; the export itself is audited. */
export function* exportAuditCsv(ctx: Ctx, q: AuditQuery): Generator<string> {
  authorize(ctx.actor, 'audit.view');
  recordAudit(ctx.db, ctx, {
    action: 'audit.exported',
    detail: { filters: { actor: q.actor ?? null, action: q.action ?? null, from: q.from ?? null, to: q.to ?? null } }
  });
  yield 'id,at_utc,actor_id,actor_email,action,target_type,target_id,outcome,ip,user_agent,detail\n';
  // Batches, not one open cursor: a paused download must not hold the connection (every write would fail).
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const batch = ctx.db
      .select()
      .from(auditLog)
      .where(and(filters(q), lt(auditLog.id, before)))
      .orderBy(desc(auditLog.id))
      .limit(500)
      .all();
    if (batch.length === 0) return;
    before = batch[batch.length - 1]!.id;
    for (const r of batch) {
      const cells = [
        r.id,
        new Date(r.at).toISOString(),
        r.actorId,
        r.actorEmail,
        r.action,
        r.targetType,
        r.targetId,
        r.outcome,
        r.ip,
        r.userAgent,
        r.detail
      ];
      yield cells.map(csvCell).join(',') + '\n';
    }
  }
}
