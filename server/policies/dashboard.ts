import { isActiveMember, type Actor } from './actor.ts';
import { membershipPolicy } from './membership.ts';
import { moderates } from './discussions.ts';

/**
 * The staff dashboard (/admin), part by part. Every staff role opens it (staff.view) and sees the
 * parts that concern their work:
 *  - membership figures: admins for everyone, a coordinator for their own task force (the people
 *    whose requests they review and whose access-end reminders they receive);
 *  - community activity (posts, threads, resources per week): admins, moderators and editors;
 *  - the moderation queue: moderators and admins;
 *  - the system (disk use, backups): admins.
 */
export const dashboardPolicy = {
  'dashboard.membership': membershipPolicy['membership.review'],
  'dashboard.activity': (actor: Actor | null) =>
    isActiveMember(actor) && (actor.role === 'admin' || actor.role === 'moderator' || actor.role === 'editor'),
  'dashboard.moderation': (actor: Actor | null) => moderates(actor),
  'dashboard.system': (actor: Actor | null) => isActiveMember(actor) && actor.role === 'admin'
};
