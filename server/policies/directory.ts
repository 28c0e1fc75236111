import type { Discipline, FieldVisibility, ImagePurpose, ProfileField } from '../../db/schema/index.ts';
import { isActiveMember, type Actor } from './actor.ts';

/**
 * The member directory: who may see which field of whose profile. ONE rule, in two shapes that a
 * test holds to each other on a grid of viewer × field × level:
 *  - canSeeField(viewer, subject, field): one profile, in JS (profile page, messages, spotlights…);
 *  - fieldVisibleSql(field): a boolean SQL expression over member row `m` and profile row `p`
 *    (LEFT JOIN member_profiles p: a member who never saved a profile has the defaults), with
 *    directoryParams(viewer) bound. Lists, filters, search, counts and sorting use only this.
 *
 * Levels are nested, each seeing everything the one below sees:
 *  - 'members': every active member;
 *  - 'task_force': members of the subject's own task force, and directory staff;
 *  - 'staff': directory staff only — admins, moderators and editors site-wide (they vet, moderate
 *    and feature members), and the coordinator of the subject's own task force (who vouches for
 *    the member); a coordinator of another task force is not staff for this member.
 * The member always sees all of their own fields. A viewer who is not an active member sees nothing.
 */

export type Visibility = Record<ProfileField, FieldVisibility>;

export interface ProfileSubject {
  id: number;
  taskForceId: number | null;
  visibility: Visibility;
}

/** Roles that are directory staff for every member. */
const SITE_STAFF_ROLES = ['admin', 'moderator', 'editor'] as const;

const siteStaff = (viewer: Actor) => (SITE_STAFF_ROLES as readonly string[]).includes(viewer.role);

/** Admins, moderators, editors; the coordinator of the subject's own task force. */
export function isDirectoryStaffFor(viewer: Actor | null, subjectTaskForceId: number | null): boolean {
  if (!isActiveMember(viewer)) return false;
  if (siteStaff(viewer)) return true;
  return viewer.role === 'coordinator' && subjectTaskForceId !== null && viewer.taskForceId === subjectTaskForceId;
}

export function canSeeField(viewer: Actor | null, subject: ProfileSubject, field: ProfileField): boolean {
  if (!isActiveMember(viewer)) return false;
  if (viewer.id === subject.id) return true;
  const level = subject.visibility[field];
  if (level === 'members') return true;
  const staff = isDirectoryStaffFor(viewer, subject.taskForceId);
  if (level === 'task_force') return staff || (subject.taskForceId !== null && viewer.taskForceId === subject.taskForceId);
  return staff;
}

/** The visibility column of each field on member_profiles. */
export const VISIBILITY_COLUMNS: Record<ProfileField, string> = {
  name: 'name_visibility',
  photo: 'photo_visibility',
  jobTitle: 'job_title_visibility',
  agency: 'agency_visibility',
  taskForce: 'task_force_visibility',
  discipline: 'discipline_visibility',
  state: 'state_visibility',
  expertise: 'expertise_visibility',
  languages: 'languages_visibility',
  bio: 'bio_visibility',
  contact: 'contact_visibility'
};

export interface DirectoryParams {
  viewerId: number;
  viewerActive: 0 | 1;
  viewerSiteStaff: 0 | 1;
  viewerCoordinator: 0 | 1;
  /** -1 when the viewer is in no task force (never equal to a member's task force, unlike NULL semantics to reason about). */
  viewerTaskForceId: number;
}

export function directoryParams(viewer: Actor | null): DirectoryParams {
  const active = isActiveMember(viewer);
  return {
    viewerId: active ? viewer.id : -1,
    viewerActive: active ? 1 : 0,
    viewerSiteStaff: active && siteStaff(viewer) ? 1 : 0,
    viewerCoordinator: active && viewer.role === 'coordinator' ? 1 : 0,
    viewerTaskForceId: active && viewer.taskForceId !== null ? viewer.taskForceId : -1
  };
}

/** SQL: the viewer is directory staff for member row `m`. */
export const DIRECTORY_STAFF_SQL = `(@viewerActive = 1 AND (@viewerSiteStaff = 1 OR (@viewerCoordinator = 1 AND m.task_force_id = @viewerTaskForceId)))`;

/** SQL: the viewer may see `field` of member row `m` (profile row `p`, LEFT JOINed). */
export function fieldVisibleSql(field: ProfileField): string {
  const level = `coalesce(p.${VISIBILITY_COLUMNS[field]}, 'members')`;
  return `(@viewerActive = 1 AND (m.id = @viewerId OR CASE ${level}
    WHEN 'members' THEN 1
    WHEN 'task_force' THEN (m.task_force_id = @viewerTaskForceId OR ${DIRECTORY_STAFF_SQL})
    WHEN 'staff' THEN ${DIRECTORY_STAFF_SQL}
    ELSE 0 END))`;
}

/** How a discipline reads inside "A … member". 'other' says nothing: plain "A member". */
const DISCIPLINE_WORDS: Record<Discipline, string | null> = {
  law_enforcement: 'law enforcement',
  prosecution: 'prosecution',
  victim_services: 'victim services',
  task_force_coordination: 'task-force coordination',
  other: null
};

export interface NamedSubject extends ProfileSubject {
  name: string;
  agency: string;
  discipline: Discipline;
}

/**
 * The name a viewer sees for a member everywhere outside discussion posts: the name when visible,
 * else "A member of <agency>", else "A <discipline> member", else "A member".
 */
export function displayNameFor(viewer: Actor | null, subject: NamedSubject): string {
  if (canSeeField(viewer, subject, 'name')) return subject.name;
  const agency = subject.agency.trim();
  if (agency !== '' && canSeeField(viewer, subject, 'agency')) return `A member of ${agency}`;
  const word = DISCIPLINE_WORDS[subject.discipline];
  if (word && canSeeField(viewer, subject, 'discipline')) return `A ${word} member`;
  return 'A member';
}

/** displayNameFor as SQL over `m`/`p` (for sorting the directory by what the viewer sees). */
export function displayNameSql(): string {
  const words = Object.entries(DISCIPLINE_WORDS)
    .filter(([, word]) => word !== null)
    .map(([value, word]) => `WHEN '${value}' THEN 'A ${word} member'`)
    .join(' ');
  return `(CASE
    WHEN ${fieldVisibleSql('name')} THEN m.name
    WHEN trim(m.agency) <> '' AND ${fieldVisibleSql('agency')} THEN 'A member of ' || trim(m.agency)
    WHEN ${fieldVisibleSql('discipline')} AND m.discipline <> 'other' THEN CASE m.discipline ${words} ELSE 'A member' END
    ELSE 'A member' END)`;
}

/** What decides who may see an image. */
export interface ImageState {
  purpose: ImagePurpose;
  uploadedBy: number;
  /** For a profile image: the owner when it is their current photo (null: nobody's current photo). */
  photoOf: ProfileSubject | null;
}

const editorOrAdmin = (actor: Actor | null) => isActiveMember(actor) && (actor.role === 'editor' || actor.role === 'admin');

export const directoryPolicy = {
  /** Route gate of the directory, profiles, task-force pages and images: an active member. */
  'directory.use': (actor: Actor | null) => isActiveMember(actor),
  /** Upload a picture for a spotlight body. */
  'image.uploadSpotlight': (actor: Actor | null) => editorOrAdmin(actor),
  /** Spotlight images: every active member. Profile images: the uploader; others through the owner's photo visibility. */
  'image.read': (actor: Actor | null, image?: ImageState) => {
    if (image === undefined || !isActiveMember(actor)) return false;
    if (image.purpose === 'spotlight') return true;
    if (image.uploadedBy === actor.id) return true;
    return image.photoOf !== null && canSeeField(actor, image.photoOf, 'photo');
  },
  /** A profile of a member who is not active (pending, suspended, expired, disabled). */
  'member.seeInactive': (actor: Actor | null, subject?: { taskForceId: number | null }) =>
    subject !== undefined && isDirectoryStaffFor(actor, subject.taskForceId)
};
