import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { endOfDayUtc } from '../../shared/dates.ts';
import { isoDate, obj, str } from '../../shared/schema.ts';
import { exportAuditCsv, listAudit, type AuditQuery } from './service.ts';

const filterProps = { actor: str(0, 254), action: str(0, 64, { pattern: '^[a-z_.]*$' }), from: isoDate, to: isoDate };
type Raw = { actor?: string; action?: string; from?: string; to?: string; before?: number; limit?: number };

function toQuery(raw: Raw): AuditQuery {
  return {
    actor: raw.actor || undefined,
    action: raw.action || undefined,
    from: raw.from ? endOfDayUtc(raw.from, 'from') - 86_400_000 + 1 : undefined,
    to: raw.to ? endOfDayUtc(raw.to, 'to') : undefined,
    before: raw.before,
    limit: raw.limit
  };
}

export async function auditRoutes(app: FastifyInstance) {
  app.get(
    '/admin/audit',
    {
      config: { access: 'audit.view' },
      schema: {
        querystring: obj(
          { ...filterProps, before: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 200 } },
          []
        )
      }
    },
    async (request) => listAudit(request.ctx(), toQuery(request.query as Raw))
  );

  // POST: an export is itself audited, and no GET changes state.
  app.post(
    '/admin/audit/export',
    { config: { access: 'audit.view' }, schema: { body: obj(filterProps, []) } },
    async (request, reply) => {
      const rows = exportAuditCsv(request.ctx(), toQuery((request.body ?? {}) as Raw));
      reply.header('Content-Type', 'text/csv; charset=utf-8');
      reply.header(
        'Content-Disposition',
        `attachment; filename="audit-log-${new Date(request.ctx().clock.now()).toISOString().slice(0, 10)}.csv"`
      );
      return reply.send(Readable.from(rows));
    }
  );
}
