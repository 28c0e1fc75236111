import { and, desc, eq, gte, like, lt, lte, or, type SQL } from 'drizzle-orm';
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
        : like(auditLog.actorEmail, `%${actor.toLowerCase()}%`)
      : undefined,
    q.action ? or(eq(auditLog.action, q.action), like(auditLog.action, `${q.action}.%`)) : undefined,
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
  // Iterate the statement rather than loading the whole log into memory.
  const query = ctx.db.select().from(auditLog).where(filters(q)).orderBy(desc(auditLog.id)).toSQL();
  const rows = ctx.db.$client
    .prepare(query.sql)
    .raw()
    .iterate(...query.params) as IterableIterator<unknown[]>;
  for (const r of rows) {
    const [id, at, actorId, actorEmail, action, targetType, targetId, outcome, ip, userAgent, detail] = r;
    yield (
      [
        id,
        new Date(at as number).toISOString(),
        actorId,
        actorEmail,
        action,
        targetType,
        targetId,
        outcome,
        ip,
        userAgent,
        detail
      ]
        .map(csvCell)
        .join(',') + '\n'
    );
  }
}
