import { isActiveMember, type Actor } from './actor.ts';

/**
 * Notifications: every active member has their own; each operation only ever touches the caller's
 * rows (the services filter by member), so the route gate is the whole rule. What a notification is
 * about is checked against the resource's own rule (a private category's read rule) when it is
 * created, pushed, listed, replayed and e-mailed.
 */
export const notificationsPolicy = {
  'notifications.use': (actor: Actor | null) => isActiveMember(actor)
};
