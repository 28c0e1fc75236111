import type { SpotlightKind } from '../../db/schema/index.ts';
import { isActiveMember, type Actor } from './actor.ts';

/**
 * Weekly spotlights. Editors and admins write, schedule and withdraw them. Consent: a member
 * spotlight is approved by the featured member, a task-force spotlight by a coordinator of that
 * task force — never by an editor or admin on their behalf (they write it; the people featured
 * decide). A published spotlight is read by every active member; before that only its writers and
 * the people asked to approve it may read it (others get 404). A withdrawn one: writers only.
 * The decider rule in its three shapes, which a test proves agree:
 *  - decidesFor(actor, spotlight): one spotlight, in JS;
 *  - DECIDES_SQL: over spotlights alias `s`, bound with deciderParams(actor) ("waiting on me");
 *  - DECIDER_MEMBERS_SQL: over member alias `m`, bound with @kind, @featuredMemberId,
 *    @featuredTaskForceId (who is asked).
 */

export interface SpotlightState {
  kind: SpotlightKind;
  featuredMemberId: number | null;
  featuredTaskForceId: number | null;
  publishedAt: number | null;
  deletedAt: number | null;
}

/** Kinds whose text needs the featured side's approval before it can run. */
export const CONSENT_KINDS: readonly SpotlightKind[] = ['member', 'task_force'];

export function writesSpotlights(actor: Actor | null): actor is Actor {
  return isActiveMember(actor) && (actor.role === 'editor' || actor.role === 'admin');
}

export function decidesFor(
  actor: Actor | null,
  s: Pick<SpotlightState, 'kind' | 'featuredMemberId' | 'featuredTaskForceId'>
): boolean {
  if (!isActiveMember(actor)) return false;
  if (s.kind === 'member') return s.featuredMemberId !== null && actor.id === s.featuredMemberId;
  if (s.kind === 'task_force') {
    return actor.role === 'coordinator' && s.featuredTaskForceId !== null && actor.taskForceId === s.featuredTaskForceId;
  }
  return false;
}

export const DECIDES_SQL = `(@deciderActive = 1 AND (
  (s.kind = 'member' AND s.featured_member_id = @deciderId)
  OR (s.kind = 'task_force' AND @deciderRole = 'coordinator' AND s.featured_task_force_id = @deciderTaskForceId)))`;

export function deciderParams(actor: Actor | null) {
  return {
    deciderActive: isActiveMember(actor) ? 1 : 0,
    deciderId: actor?.id ?? -1,
    deciderRole: actor?.role ?? '',
    deciderTaskForceId: actor?.taskForceId ?? -1
  };
}

/** Active, past activation (as an actor would be). */
export const DECIDER_MEMBERS_SQL = `(m.status = 'active' AND m.notice_accepted_at IS NOT NULL AND (
  (@kind = 'member' AND m.id = @featuredMemberId)
  OR (@kind = 'task_force' AND m.role = 'coordinator' AND m.task_force_id = @featuredTaskForceId)))`;

export function canReadSpotlight(actor: Actor | null, s: SpotlightState): boolean {
  if (!isActiveMember(actor)) return false;
  if (writesSpotlights(actor)) return true;
  if (s.deletedAt !== null) return false;
  return s.publishedAt !== null || decidesFor(actor, s);
}

const unpublished = (s: SpotlightState) => s.publishedAt === null && s.deletedAt === null;

export const spotlightsPolicy = {
  /** Route gate of the reading routes: an active member; each spotlight is then checked below. */
  'spotlights.use': (actor: Actor | null) => isActiveMember(actor),
  /** Write, schedule, see the calendar and drafts. */
  'spotlights.write': (actor: Actor | null) => writesSpotlights(actor),
  'spotlight.read': (actor: Actor | null, s?: SpotlightState) => s !== undefined && canReadSpotlight(actor, s),
  /** The text, the kind, the featured side: until it is published (then: withdraw it). */
  'spotlight.edit': (actor: Actor | null, s?: SpotlightState) => s !== undefined && writesSpotlights(actor) && unpublished(s),
  'spotlight.schedule': (actor: Actor | null, s?: SpotlightState) => s !== undefined && writesSpotlights(actor) && unpublished(s),
  'spotlight.delete': (actor: Actor | null, s?: SpotlightState) =>
    s !== undefined && writesSpotlights(actor) && s.deletedAt === null,
  /** Approve, ask for changes or decline: the featured member / a coordinator of the featured task force, before it runs. */
  'spotlight.decide': (actor: Actor | null, s?: SpotlightState) => s !== undefined && unpublished(s) && decidesFor(actor, s)
};
