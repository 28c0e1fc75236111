import { isActiveMember, type Actor } from './actor.ts';

export const accountPolicy = {
  /** Any valid session, even mid-activation: who am I, finish activation, sign out. */
  session: (actor: Actor | null) => actor !== null && (actor.status === 'active' || actor.status === 'pending'),
  /** Use the community: active, activation finished. */
  'community.use': (actor: Actor | null) => isActiveMember(actor),
  /** Own password, MFA and sessions. */
  'account.manage': (actor: Actor | null) => isActiveMember(actor)
};
