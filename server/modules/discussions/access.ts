import type { Db, DbOrTx } from '../../../db/client.ts';
import type { AttachedKind, Discipline, HiddenReason, PinScope } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { can } from '../../policies/index.ts';
import {
  memberReadsCategorySql,
  READABLE_CATEGORY_IDS_SQL,
  readerParams,
  type CategoryAudience,
  type PostState,
  type ThreadState
} from '../../policies/discussions.ts';
import { NotFound } from '../../shared/errors.ts';
import { all, get, idList } from './sql.ts';

/** The same words whether the thing does not exist or the member may not see it: existence is not revealed. */
export const THREAD_NOT_FOUND = 'That thread was not found, or you do not have access to it.';
export const POST_NOT_FOUND = 'That post was not found, or you do not have access to it.';
export const CATEGORY_NOT_FOUND = 'That category was not found, or you do not have access to it.';

export interface CategoryInfo extends CategoryAudience {
  id: number;
  name: string;
  colour: string;
  /** A comments category (resource, spotlight, suggestion): its thread is reached through what it hangs on. */
  attached: boolean;
  attachedKind: AttachedKind | null;
}

export function loadCategory(db: DbOrTx, id: number): CategoryInfo | undefined {
  const row = get<{
    id: number;
    name: string;
    colour: string;
    isPrivate: number;
    attached: number;
    attachedKind: AttachedKind | null;
  }>(
    db,
    'SELECT id, name, colour, is_private AS isPrivate, attached, attached_kind AS attachedKind FROM categories WHERE id = @id',
    { id }
  );
  if (!row) return undefined;
  const isPrivate = row.isPrivate === 1;
  const taskForceIds = isPrivate
    ? all<{ id: number }>(db, 'SELECT task_force_id AS id FROM category_task_forces WHERE category_id = @id', { id }).map(
        (r) => r.id
      )
    : [];
  const disciplines = isPrivate
    ? all<{ d: Discipline }>(db, 'SELECT discipline AS d FROM category_disciplines WHERE category_id = @id', { id }).map(
        (r) => r.d
      )
    : [];
  return {
    id: row.id,
    name: row.name,
    colour: row.colour,
    isPrivate,
    taskForceIds,
    disciplines,
    attached: row.attached === 1,
    attachedKind: row.attachedKind
  };
}

/** A category the actor may read, or 404. Attached (resource comment) categories are not categories to members. */
export function readableCategory(ctx: Ctx, id: number): CategoryInfo {
  const category = loadCategory(ctx.db, id);
  if (!category || category.attached || !can(ctx.actor, 'category.read', category)) throw new NotFound(CATEGORY_NOT_FOUND);
  return category;
}

export interface ThreadRow {
  id: number;
  categoryId: number;
  authorId: number;
  title: string;
  firstPostId: number;
  lastPostNumber: number;
  postCount: number;
  lastPostAt: number;
  lastPostAuthorId: number | null;
  pinScope: PinScope | null;
  pinnedUntil: number | null;
  lockedAt: number | null;
  closedAt: number | null;
  deletedAt: number | null;
  createdAt: number;
}

const THREAD_COLUMNS = `id, category_id AS categoryId, author_id AS authorId, title, first_post_id AS firstPostId,
  last_post_number AS lastPostNumber, post_count AS postCount, last_post_at AS lastPostAt,
  last_post_author_id AS lastPostAuthorId, pin_scope AS pinScope, pinned_until AS pinnedUntil,
  locked_at AS lockedAt, closed_at AS closedAt, deleted_at AS deletedAt, created_at AS createdAt`;

export function threadRow(db: DbOrTx, id: number): ThreadRow | undefined {
  return get<ThreadRow>(db, `SELECT ${THREAD_COLUMNS} FROM threads WHERE id = @id`, { id });
}

export interface LoadedThread {
  thread: ThreadRow;
  category: CategoryInfo;
  state: ThreadState;
}

export function threadState(thread: ThreadRow, category: CategoryAudience): ThreadState {
  return { category, lockedAt: thread.lockedAt, closedAt: thread.closedAt, deletedAt: thread.deletedAt };
}

/** A thread the actor may read (moderators: deleted ones too), or 404. */
export function readableThread(ctx: Ctx, id: number): LoadedThread {
  const thread = threadRow(ctx.db, id);
  const category = thread ? loadCategory(ctx.db, thread.categoryId) : undefined;
  if (!thread || !category) throw new NotFound(THREAD_NOT_FOUND);
  const state = threadState(thread, category);
  if (!can(ctx.actor, 'thread.read', state)) throw new NotFound(THREAD_NOT_FOUND);
  return { thread, category, state };
}

export interface PostRow {
  id: number;
  threadId: number;
  number: number;
  authorId: number;
  body: string;
  bodyHtml: string;
  quotePostId: number | null;
  privacyConfirmed: string | null;
  createdAt: number;
  editedAt: number | null;
  editCount: number;
  deletedAt: number | null;
  deletedBy: number | null;
  hiddenAt: number | null;
  hiddenReason: HiddenReason | null;
  purgedAt: number | null;
}

export const POST_COLUMNS = `p.id, p.thread_id AS threadId, p.number, p.author_id AS authorId, p.body, p.body_html AS bodyHtml,
  p.quote_post_id AS quotePostId, p.privacy_confirmed AS privacyConfirmed, p.created_at AS createdAt,
  p.edited_at AS editedAt, p.edit_count AS editCount, p.deleted_at AS deletedAt, p.deleted_by AS deletedBy,
  p.hidden_at AS hiddenAt, p.hidden_reason AS hiddenReason, p.purged_at AS purgedAt`;

export function postRow(db: DbOrTx, id: number): PostRow | undefined {
  return get<PostRow>(db, `SELECT ${POST_COLUMNS} FROM posts p WHERE p.id = @id`, { id });
}

export interface LoadedPost extends LoadedThread {
  post: PostRow;
  postState: PostState;
}

export function postState(post: PostRow, state: ThreadState): PostState {
  return { authorId: post.authorId, deletedAt: post.deletedAt, hiddenAt: post.hiddenAt, thread: state };
}

/** A post in a thread the actor may read, or 404. What may be done with it is for the policy to say. */
export function readablePost(ctx: Ctx, id: number): LoadedPost {
  const post = postRow(ctx.db, id);
  if (!post) throw new NotFound(POST_NOT_FOUND);
  let loaded: LoadedThread;
  try {
    loaded = readableThread(ctx, post.threadId);
  } catch {
    throw new NotFound(POST_NOT_FOUND);
  }
  return { ...loaded, post, postState: postState(post, loaded.state) };
}

/** Ids of every category the actor may read (the policy's SQL). */
export function readableCategoryIds(ctx: Pick<Ctx, 'db' | 'actor'>): number[] {
  return all<{ id: number }>(ctx.db, READABLE_CATEGORY_IDS_SQL, readerParams(ctx.actor)).map((r) => r.id);
}

/** For subscribers (notifications, mail, live pushes): may this member read this category now? */
export function memberCanReadCategory(db: Db, memberId: number, categoryId: number): boolean {
  return (
    get(db, `SELECT 1 FROM members m WHERE m.id = @memberId AND ${memberReadsCategorySql('m')}`, { memberId, categoryId }) !==
    undefined
  );
}

/** The members among `memberIds` who may read the category (a mention's or a notification's audience). */
export function readersAmong(db: DbOrTx, memberIds: readonly number[], categoryId: number): number[] {
  if (memberIds.length === 0) return [];
  return all<{ id: number }>(
    db,
    `SELECT m.id FROM members m WHERE m.id IN (SELECT value FROM json_each(@ids)) AND ${memberReadsCategorySql('m')}`,
    { ids: idList(memberIds), categoryId }
  ).map((r) => r.id);
}
