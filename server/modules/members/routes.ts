import type { FastifyInstance } from 'fastify';
import { MEMBER_STATUSES, ROLES, type MemberStatus, type Role } from '../../../db/schema/index.ts';
import { idParam, isoDate, noBody, obj, str } from '../../shared/schema.ts';
import { endOfDayUtc } from '../../shared/dates.ts';
import { changeRole, extendAccess, listMembers, reinstateMember, suspendMember, unlockMember } from './service.ts';

const id = (params: unknown) => (params as { id: number }).id;

export async function memberAdminRoutes(app: FastifyInstance) {
  const access = 'members.manage' as const;
  app.get(
    '/admin/members',
    {
      config: { access },
      schema: {
        querystring: obj(
          {
            q: str(0, 100),
            status: { type: 'string', enum: [...MEMBER_STATUSES] },
            role: { type: 'string', enum: [...ROLES] },
            after: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 200 }
          },
          []
        )
      }
    },
    async (request) =>
      listMembers(
        request.ctx(),
        request.query as { q?: string; status?: MemberStatus; role?: Role; after?: number; limit?: number }
      )
  );

  app.post(
    '/admin/members/:id/role',
    {
      config: { access },
      schema: {
        params: idParam,
        body: obj(
          {
            role: { type: 'string', enum: [...ROLES] },
            taskForceId: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] }
          },
          ['role']
        )
      }
    },
    async (request) => {
      changeRole(request.ctx(), id(request.params), request.body as { role: Role; taskForceId?: number | null });
      return { updated: true };
    }
  );

  app.post(
    '/admin/members/:id/suspend',
    { config: { access }, schema: { params: idParam, body: obj({ reason: str(3, 500) }) } },
    async (request) => {
      suspendMember(request.ctx(), id(request.params), (request.body as { reason: string }).reason);
      return { status: 'suspended' };
    }
  );

  app.post('/admin/members/:id/reinstate', { config: { access }, schema: { params: idParam, body: noBody } }, async (request) => {
    reinstateMember(request.ctx(), id(request.params));
    return { reinstated: true };
  });

  app.post('/admin/members/:id/unlock', { config: { access }, schema: { params: idParam, body: noBody } }, async (request) => {
    unlockMember(request.ctx(), id(request.params));
    return { unlocked: true };
  });

  app.post(
    '/admin/members/:id/extend-access',
    { config: { access }, schema: { params: idParam, body: obj({ until: { anyOf: [isoDate, { type: 'null' }] } }) } },
    async (request) => {
      const until = (request.body as { until: string | null }).until;
      extendAccess(request.ctx(), id(request.params), until === null ? null : endOfDayUtc(until, 'until'));
      return { extended: true };
    }
  );
}
