import type { Discipline, MemberStatus, Role } from '../../db/schema/index.ts';

/** The signed-in member as policies see them. */
export interface Actor {
  id: number;
  email: string;
  name: string;
  role: Role;
  status: MemberStatus;
  taskForceId: number | null;
  discipline: Discipline;
  /** What the member must still do before using the community (activation steps). */
  onboarding: 'mfa' | 'notice' | null;
  mfaEnabled: boolean;
  sessionId: string;
}

export const STAFF_ROLES: readonly Role[] = ['coordinator', 'moderator', 'editor', 'admin'];

/** Staff roles must use two-step verification (SECURITY.md); a site setting can require it for all. */
export function roleRequiresMfa(role: Role, requireMfaForAll: boolean): boolean {
  return requireMfaForAll || STAFF_ROLES.includes(role);
}

/** Active and done with activation: may use the community. */
export function isActiveMember(actor: Actor | null): actor is Actor {
  return actor !== null && actor.status === 'active' && actor.onboarding === null;
}
