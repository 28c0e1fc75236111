import { isActiveMember, type Actor } from './actor.ts';

/** Who may see and decide membership requests: admins all; a coordinator those naming their task force. */
export const membershipPolicy = {
  'membership.review': (actor: Actor | null) =>
    isActiveMember(actor) && (actor.role === 'admin' || (actor.role === 'coordinator' && actor.taskForceId !== null)),
  'membershipRequest.decide': (actor: Actor | null, request?: { taskForceId: number | null }) =>
    isActiveMember(actor) &&
    (actor.role === 'admin' ||
      (actor.role === 'coordinator' &&
        request !== undefined &&
        actor.taskForceId !== null &&
        request.taskForceId === actor.taskForceId))
};

/**
 * The task force whose requests (and membership figures) a reviewer is limited to: null for admins
 * (every request), a coordinator's own task force otherwise (-1 when they have none: nothing).
 */
export function reviewScope(actor: Actor): number | null {
  return actor.role === 'admin' ? null : (actor.taskForceId ?? -1);
}
