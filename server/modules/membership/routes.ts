import type { FastifyInstance } from 'fastify';
import { DISCIPLINES } from '../../../db/schema/index.ts';
import { email, idParam, noBody, obj, str, token } from '../../shared/schema.ts';
import {
  approveRequest,
  confirmEmail,
  declineRequest,
  getRequest,
  listRequests,
  markInReview,
  pendingCount,
  REQUEST_RECEIVED,
  requestInformation,
  requestMembership,
  requestStatus,
  respondToRequest,
  type MembershipRequestInput
} from './service.ts';

const requestBody = obj({
  fullName: str(2, 120),
  email,
  agency: str(2, 200),
  jobTitle: str(2, 120),
  discipline: { type: 'string', enum: [...DISCIPLINES] },
  taskForceId: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
  supervisorName: str(2, 120),
  supervisorContact: str(3, 200),
  reason: str(10, 2000)
});

export async function membershipRoutes(app: FastifyInstance) {
  app.post('/membership-requests', { config: { access: 'public' }, schema: { body: requestBody } }, async (request, reply) => {
    requestMembership(request.ctx(), request.body as MembershipRequestInput);
    return reply.status(202).send({ message: REQUEST_RECEIVED });
  });

  app.post('/membership-requests/confirm', { config: { access: 'public' }, schema: { body: obj({ token }) } }, async (request) =>
    confirmEmail(request.ctx(), (request.body as { token: string }).token)
  );

  app.get(
    '/membership-requests/status',
    { config: { access: 'public' }, schema: { querystring: obj({ token }) } },
    async (request) => requestStatus(request.ctx(), (request.query as { token: string }).token)
  );

  app.post(
    '/membership-requests/respond',
    { config: { access: 'public' }, schema: { body: obj({ token, message: str(2, 4000) }) } },
    async (request) => {
      const body = request.body as { token: string; message: string };
      respondToRequest(request.ctx(), body.token, body.message);
      return { message: 'Thank you: your answer was sent to the reviewers.' };
    }
  );

  app.get('/admin/counts', { config: { access: 'staff.view' } }, async (request) => ({
    pendingRequests: pendingCount(request.ctx())
  }));

  app.get(
    '/admin/membership-requests',
    {
      config: { access: 'membership.review' },
      schema: {
        querystring: obj(
          {
            view: { type: 'string', enum: ['open', 'decided'] },
            after: str(1, 40),
            limit: { type: 'integer', minimum: 1, maximum: 100 }
          },
          []
        )
      }
    },
    async (request) => listRequests(request.ctx(), request.query as { view?: 'open' | 'decided'; after?: string; limit?: number })
  );

  app.get(
    '/admin/membership-requests/:id',
    { config: { access: 'membership.review' }, schema: { params: idParam } },
    async (request) => ({
      request: getRequest(request.ctx(), (request.params as { id: number }).id)
    })
  );

  app.post(
    '/admin/membership-requests/:id/review',
    { config: { access: 'membership.review' }, schema: { params: idParam, body: noBody } },
    async (request) => {
      markInReview(request.ctx(), (request.params as { id: number }).id);
      return { status: 'in_review' };
    }
  );

  app.post(
    '/admin/membership-requests/:id/approve',
    { config: { access: 'membership.review' }, schema: { params: idParam, body: noBody } },
    async (request) => {
      const result = approveRequest(request.ctx(), (request.params as { id: number }).id);
      return { status: 'approved', ...result };
    }
  );

  app.post(
    '/admin/membership-requests/:id/decline',
    { config: { access: 'membership.review' }, schema: { params: idParam, body: obj({ reason: str(5, 2000) }) } },
    async (request) => {
      declineRequest(request.ctx(), (request.params as { id: number }).id, (request.body as { reason: string }).reason);
      return { status: 'declined' };
    }
  );

  app.post(
    '/admin/membership-requests/:id/request-info',
    { config: { access: 'membership.review' }, schema: { params: idParam, body: obj({ message: str(5, 2000) }) } },
    async (request) => {
      requestInformation(request.ctx(), (request.params as { id: number }).id, (request.body as { message: string }).message);
      return { status: 'info_requested' };
    }
  );
}
