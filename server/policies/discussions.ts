import type { Discipline } from '../../db/schema/index.ts';
import { isActiveMember, type Actor } from './actor.ts';

/**
 * Discussions. The read rule — who may read a category — is written here three times, in the
 * three shapes the code needs, and a test proves the three agree:
 *  - canReadCategory(actor, audience): one category, in JS (thread pages, posts, drafts…);
 *  - READABLE_CATEGORY_IDS_SQL: the categories an actor may read (lists, counts, search, bookmarks);
 *  - memberReadsCategorySql(m): whether member row `m` may read category @categoryId (mention
 *    autocomplete, mention and notification audiences).
 * Public categories: every active member. Private: members of one of its task forces or of one of
 * its disciplines. Moderators and admins read everything: they moderate.
 */

export interface CategoryAudience {
  isPrivate: boolean;
  taskForceIds: readonly number[];
  disciplines: readonly Discipline[];
}

export const MODERATOR_ROLES = ['moderator', 'admin'] as const;

export function moderates(actor: Actor | null): boolean {
  return isActiveMember(actor) && (MODERATOR_ROLES as readonly string[]).includes(actor.role);
}

export function canReadCategory(actor: Actor | null, category: CategoryAudience): boolean {
  if (!isActiveMember(actor)) return false;
  if (category.isPrivate === false || moderates(actor)) return true;
  return (
    (actor.taskForceId !== null && category.taskForceIds.includes(actor.taskForceId)) ||
    category.disciplines.includes(actor.discipline)
  );
}

/** Ids of the categories the reader may read. Bind with readerParams(actor). */
export const READABLE_CATEGORY_IDS_SQL = `SELECT rc.id FROM categories rc WHERE @readerActive = 1 AND (
  @readerModerates = 1 OR rc.is_private = 0
  OR EXISTS (SELECT 1 FROM category_task_forces rct WHERE rct.category_id = rc.id AND rct.task_force_id = @readerTaskForceId)
  OR EXISTS (SELECT 1 FROM category_disciplines rcd WHERE rcd.category_id = rc.id AND rcd.discipline = @readerDiscipline))`;

export interface ReaderParams {
  readerActive: 0 | 1;
  readerModerates: 0 | 1;
  readerTaskForceId: number;
  readerDiscipline: string;
}

export function readerParams(actor: Actor | null): ReaderParams {
  return {
    readerActive: isActiveMember(actor) ? 1 : 0,
    readerModerates: moderates(actor) ? 1 : 0,
    readerTaskForceId: actor?.taskForceId ?? -1,
    readerDiscipline: actor?.discipline ?? ''
  };
}

/**
 * May member row `m` (an alias of members) read category @categoryId? Active and past the notice,
 * like an actor. (A staff member who still owes MFA enrolment counts as a reader here: that is a
 * step of signing in, not of the audience, and they must enrol before they can open anything.)
 */
export function memberReadsCategorySql(m: string): string {
  return `(${m}.status = 'active' AND ${m}.notice_accepted_at IS NOT NULL AND (
  ${m}.role IN ('moderator', 'admin')
  OR EXISTS (SELECT 1 FROM categories mc WHERE mc.id = @categoryId AND (
    mc.is_private = 0
    OR EXISTS (SELECT 1 FROM category_task_forces mct WHERE mct.category_id = mc.id AND mct.task_force_id = ${m}.task_force_id)
    OR EXISTS (SELECT 1 FROM category_disciplines mcd WHERE mcd.category_id = mc.id AND mcd.discipline = ${m}.discipline)))))`;
}

/** What the thread rules look at. */
export interface ThreadState {
  category: CategoryAudience;
  lockedAt: number | null;
  closedAt: number | null;
  deletedAt: number | null;
}

export interface PostState {
  authorId: number;
  deletedAt: number | null;
  hiddenAt: number | null;
  thread: ThreadState;
}

const readsThread = (actor: Actor | null, t: ThreadState | undefined): actor is Actor =>
  t !== undefined && canReadCategory(actor, t.category) && (t.deletedAt === null || moderates(actor));

const own = (actor: Actor, p: PostState) => p.authorId === actor.id;

export const discussionsPolicy = {
  /** Route gate of every discussion route: an active member; each object is then checked below. */
  'discussions.use': (actor: Actor | null) => isActiveMember(actor),
  'search.use': (actor: Actor | null) => isActiveMember(actor),
  /** Pin, lock, close, move, delete threads; the flag queue and its outcomes; purge. */
  'discussions.moderate': (actor: Actor | null) => moderates(actor),
  'categories.manage': (actor: Actor | null) => isActiveMember(actor) && actor.role === 'admin',
  'category.read': (actor: Actor | null, category?: CategoryAudience) =>
    category !== undefined && canReadCategory(actor, category),
  'thread.read': (actor: Actor | null, thread?: ThreadState) => readsThread(actor, thread),
  /** Closed: finished, moderators may still add a word. Locked: frozen for everyone but moderators. */
  'thread.reply': (actor: Actor | null, thread?: ThreadState) =>
    thread !== undefined &&
    readsThread(actor, thread) &&
    thread.deletedAt === null &&
    (moderates(actor) || (thread.lockedAt === null && thread.closedAt === null)),
  'post.edit': (actor: Actor | null, post?: PostState) =>
    post !== undefined &&
    readsThread(actor, post.thread) &&
    own(actor, post) &&
    post.deletedAt === null &&
    post.hiddenAt === null &&
    post.thread.deletedAt === null &&
    (post.thread.lockedAt === null || moderates(actor)),
  'post.delete': (actor: Actor | null, post?: PostState) =>
    post !== undefined &&
    readsThread(actor, post.thread) &&
    post.deletedAt === null &&
    (moderates(actor) || (own(actor, post) && post.thread.lockedAt === null)),
  'post.viewRevisions': (actor: Actor | null, post?: PostState) =>
    post !== undefined && readsThread(actor, post.thread) && (own(actor, post) || moderates(actor)),
  'post.react': (actor: Actor | null, post?: PostState) =>
    post !== undefined &&
    readsThread(actor, post.thread) &&
    !own(actor, post) &&
    post.deletedAt === null &&
    post.hiddenAt === null &&
    post.thread.lockedAt === null,
  'post.flag': (actor: Actor | null, post?: PostState) =>
    post !== undefined && readsThread(actor, post.thread) && post.deletedAt === null
};
