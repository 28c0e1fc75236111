import type { DbOrTx, Tx } from '../../../db/client.ts';
import type { Discipline } from '../../../db/schema/index.ts';
import { generateToken } from '../../shared/tokens.ts';
import { all, get, run } from '../discussions/sql.ts';
import { refreshCategoryCounts } from '../discussions/store.ts';
import { openAttachedThread, sharedAttachedCategory } from '../discussions/attached.ts';
import type { Audience } from './input.ts';

/**
 * Comments and audience. Each resource has a discussion thread in an "attached" category (never in
 * category lists). All-members resources share one such category; a private resource has its own,
 * whose category_task_forces / category_disciplines rows ARE the resource's audience. Changing the
 * audience moves the thread, in the same transaction, so comments, mentions, notifications and
 * search of comments always follow the resource's audience through the discussion machinery.
 */

const privateName = (resourceId: number) => `Comments on resource #${resourceId}`;

const isPrivate = (a: Audience) => a.taskForceIds.length > 0 || a.disciplines.length > 0;

function sharedCategoryId(tx: Tx, now: number): number {
  return sharedAttachedCategory(tx, 'resources', now);
}

function writeAudience(tx: Tx, categoryId: number, audience: Audience): void {
  run(tx, 'DELETE FROM category_task_forces WHERE category_id = @categoryId', { categoryId });
  run(tx, 'DELETE FROM category_disciplines WHERE category_id = @categoryId', { categoryId });
  for (const taskForceId of audience.taskForceIds) {
    run(tx, 'INSERT INTO category_task_forces (category_id, task_force_id) VALUES (@categoryId, @taskForceId)', {
      categoryId,
      taskForceId
    });
  }
  for (const discipline of audience.disciplines) {
    run(tx, 'INSERT INTO category_disciplines (category_id, discipline) VALUES (@categoryId, @discipline)', {
      categoryId,
      discipline
    });
  }
}

function createPrivateCategory(tx: Tx, name: string, audience: Audience, now: number): number {
  const id = Number(
    run(
      tx,
      `INSERT INTO categories (name, description, position, is_private, attached, attached_kind, created_at, updated_at)
       VALUES (@name, 'Comments on a private resource.', 0, 1, 1, 'resources', @now, @now)`,
      { name, now }
    ).lastInsertRowid
  );
  writeAudience(tx, id, audience);
  return id;
}

/**
 * A new resource's comments category and thread (created before the resource row, which names
 * them). Call nameCategory once the resource id is known.
 */
export function placeNewResource(
  tx: Tx,
  input: { audience: Audience; title: string; authorId: number; now: number }
): { categoryId: number; threadId: number } {
  const categoryId = isPrivate(input.audience)
    ? createPrivateCategory(tx, `pending ${generateToken()}`, input.audience, input.now)
    : sharedCategoryId(tx, input.now);
  // No opening post: the resource page is the opening; the thread holds the comments only.
  const threadId = openAttachedThread(tx, { categoryId, title: input.title, authorId: input.authorId, now: input.now });
  return { categoryId, threadId };
}

export function nameCategory(tx: Tx, categoryId: number, resourceId: number): void {
  run(tx, 'UPDATE categories SET name = @name WHERE id = @categoryId AND is_private = 1 AND attached = 1', {
    name: privateName(resourceId),
    categoryId
  });
}

/** Move the resource (and its comments thread) to the category that carries the new audience. */
export function changeAudience(
  tx: Tx,
  resource: { id: number; categoryId: number; threadId: number },
  audience: Audience,
  now: number
): number {
  const wasPrivate =
    get<{ p: number }>(tx, 'SELECT is_private AS p FROM categories WHERE id = @id', { id: resource.categoryId })!.p === 1;
  let categoryId = resource.categoryId;
  if (wasPrivate && isPrivate(audience)) {
    writeAudience(tx, categoryId, audience);
    run(tx, 'UPDATE categories SET updated_at = @now WHERE id = @categoryId', { now, categoryId });
    return categoryId;
  }
  if (!wasPrivate && !isPrivate(audience)) return categoryId;
  categoryId = isPrivate(audience)
    ? createPrivateCategory(tx, privateName(resource.id), audience, now)
    : sharedCategoryId(tx, now);
  run(tx, 'UPDATE threads SET category_id = @categoryId, updated_at = @now WHERE id = @threadId', {
    categoryId,
    now,
    threadId: resource.threadId
  });
  run(tx, 'UPDATE resources SET category_id = @categoryId WHERE id = @id', { categoryId, id: resource.id });
  refreshCategoryCounts(tx, categoryId);
  if (wasPrivate) {
    // The private category held this one thread; it goes with the audience it described.
    run(tx, 'DELETE FROM categories WHERE id = @id AND attached = 1', { id: resource.categoryId });
  } else {
    refreshCategoryCounts(tx, resource.categoryId);
  }
  return categoryId;
}

export interface AudienceView {
  isPrivate: boolean;
  taskForces: { id: number; name: string }[];
  disciplines: Discipline[];
}

/** The audiences of some categories, for presenting resources. */
export function audiences(db: DbOrTx, categoryIds: readonly number[]): (categoryId: number, isPrivate: boolean) => AudienceView {
  const ids = JSON.stringify([...new Set(categoryIds)]);
  const taskForces = all<{ categoryId: number; id: number; name: string }>(
    db,
    `SELECT ct.category_id AS categoryId, tf.id, tf.name FROM category_task_forces ct JOIN task_forces tf ON tf.id = ct.task_force_id
     WHERE ct.category_id IN (SELECT value FROM json_each(@ids)) ORDER BY tf.name`,
    { ids }
  );
  const disciplines = all<{ categoryId: number; discipline: Discipline }>(
    db,
    `SELECT category_id AS categoryId, discipline FROM category_disciplines
     WHERE category_id IN (SELECT value FROM json_each(@ids)) ORDER BY discipline`,
    { ids }
  );
  return (categoryId, isPrivateCategory) => ({
    isPrivate: isPrivateCategory,
    taskForces: taskForces.filter((t) => t.categoryId === categoryId).map((t) => ({ id: t.id, name: t.name })),
    disciplines: disciplines.filter((d) => d.categoryId === categoryId).map((d) => d.discipline)
  });
}
