import { isActiveMember, STAFF_ROLES, type Actor } from './actor.ts';

const admin = (actor: Actor | null) => isActiveMember(actor) && actor.role === 'admin';

/** Program administration: members, task forces, the audit log and site settings are admins' alone. */
export const adminPolicy = {
  'staff.view': (actor: Actor | null) => isActiveMember(actor) && STAFF_ROLES.includes(actor.role),
  'members.manage': admin,
  'taskForces.manage': admin,
  'audit.view': admin,
  'settings.manage': admin
};
