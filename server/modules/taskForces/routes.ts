import type { FastifyInstance } from 'fastify';
import { endOfDayUtc } from '../../shared/dates.ts';
import { idParam, isoDate, obj, str } from '../../shared/schema.ts';
import { getTaskForcePage, listTaskForcesForMembers } from './pages.ts';
import { createTaskForce, listTaskForces, taskForceOptions, updateTaskForce, type TaskForceInput } from './service.ts';

const body = obj(
  {
    name: str(3, 150),
    states: { type: 'array', minItems: 1, maxItems: 10, items: str(2, 2) },
    leadAgency: str(2, 200),
    grantEndsOn: { anyOf: [isoDate, { type: 'null' }] },
    region: str(0, 200),
    description: str(0, 2000)
  },
  ['name', 'states', 'leadAgency', 'grantEndsOn']
);

type Body = {
  name: string;
  states: string[];
  leadAgency: string;
  grantEndsOn: string | null;
  region?: string;
  description?: string;
};
const toInput = (b: Body): TaskForceInput => ({
  name: b.name,
  states: b.states,
  leadAgency: b.leadAgency,
  grantEndsAt: b.grantEndsOn === null ? null : endOfDayUtc(b.grantEndsOn, 'grantEndsOn'),
  ...(b.region !== undefined ? { region: b.region } : {}),
  ...(b.description !== undefined ? { description: b.description } : {})
});

export async function taskForceRoutes(app: FastifyInstance) {
  app.get('/task-forces/options', { config: { access: 'public' } }, async (request) => ({
    taskForces: taskForceOptions(request.ctx())
  }));

  // The directory's task-force pages (any active member).
  app.get('/task-forces', { config: { access: 'directory.use' } }, async (request) => listTaskForcesForMembers(request.ctx()));
  app.get('/task-forces/:id', { config: { access: 'directory.use' }, schema: { params: idParam } }, async (request) =>
    getTaskForcePage(request.ctx(), (request.params as { id: number }).id)
  );

  app.get('/admin/task-forces', { config: { access: 'taskForces.manage' } }, async (request) => ({
    taskForces: listTaskForces(request.ctx())
  }));

  app.post('/admin/task-forces', { config: { access: 'taskForces.manage' }, schema: { body } }, async (request, reply) => {
    const created = createTaskForce(request.ctx(), toInput(request.body as Body));
    return reply.status(201).send(created);
  });

  app.patch(
    '/admin/task-forces/:id',
    { config: { access: 'taskForces.manage' }, schema: { params: idParam, body } },
    async (request) => {
      updateTaskForce(request.ctx(), (request.params as { id: number }).id, toInput(request.body as Body));
      return { updated: true };
    }
  );
}
