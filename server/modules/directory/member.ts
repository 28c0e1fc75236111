import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { NotFound } from '../../shared/errors.ts';
import { memberProfile } from './present.ts';
import { loadSubject } from './subjects.ts';

const NOT_FOUND = 'That member was not found.';

/**
 * One member's profile as the viewer may see it. A member who is not active (pending, suspended,
 * expired, disabled) is not found, except by directory staff for them, who also see the status.
 * An unlisted member still opens by id (mentions and messages link here); lists leave them out.
 */
export function getMemberProfile(ctx: Ctx, id: number) {
  authorize(ctx.actor, 'directory.use');
  const subject = loadSubject(ctx.db, id);
  if (!subject) throw new NotFound(NOT_FOUND);
  const staff = can(ctx.actor, 'member.seeInactive', { taskForceId: subject.taskForceId });
  if (subject.status !== 'active' && !staff && subject.id !== ctx.actor.id) throw new NotFound(NOT_FOUND);
  return { member: memberProfile(ctx.actor, subject, { showStatus: staff }) };
}
