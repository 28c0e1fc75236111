import { Forbidden, Unauthorized } from '../shared/errors.ts';
import type { Actor } from './actor.ts';
import { accountPolicy } from './account.ts';
import { adminPolicy } from './admin.ts';
import { dashboardPolicy } from './dashboard.ts';
import { directoryPolicy } from './directory.ts';
import { discussionsPolicy } from './discussions.ts';
import { membershipPolicy } from './membership.ts';
import { messagesPolicy } from './messages.ts';
import { notificationsPolicy } from './notifications.ts';
import { resourcesPolicy } from './resources.ts';
import { spotlightsPolicy } from './spotlights.ts';
import { suggestionsPolicy } from './suggestions.ts';

export type { Actor } from './actor.ts';
export { roleRequiresMfa, isActiveMember, STAFF_ROLES } from './actor.ts';
export { reviewScope } from './membership.ts';

/** Every rule, by action name. Authorization lives here and nowhere else. */
const rules = {
  ...accountPolicy,
  ...adminPolicy,
  ...dashboardPolicy,
  ...directoryPolicy,
  ...membershipPolicy,
  ...messagesPolicy,
  ...discussionsPolicy,
  ...notificationsPolicy,
  ...resourcesPolicy,
  ...spotlightsPolicy,
  ...suggestionsPolicy
} satisfies Record<string, (actor: Actor | null, target?: never) => boolean>;

export type Action = keyof typeof rules;
type Target<A extends Action> = Parameters<(typeof rules)[A]>[1];

export function can<A extends Action>(actor: Actor | null, action: A, target?: Target<A>): boolean {
  const rule = rules[action] as (actor: Actor | null, target?: Target<A>) => boolean;
  return rule(actor, target);
}

/** Throws Unauthorized when signed out, Forbidden when the member may not. */
export function authorize<A extends Action>(actor: Actor | null, action: A, target?: Target<A>): asserts actor is Actor {
  if (!can(actor, action, target)) {
    if (actor === null) throw new Unauthorized();
    if (actor.onboarding !== null || actor.status !== 'active') {
      throw new Forbidden('Finish activating your account first.');
    }
    throw new Forbidden();
  }
}

/** Route-level access: 'public' or an action every request to the route must pass. */
export type RouteAccess = 'public' | Action;
