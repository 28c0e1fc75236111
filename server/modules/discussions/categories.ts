import type { Tx } from '../../../db/client.ts';
import type { Discipline, NotificationLevel } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { READABLE_CATEGORY_IDS_SQL, readerParams } from '../../policies/discussions.ts';
import { Conflict, Invalid, NotFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';
import { all, get, idList, run } from './sql.ts';

export interface CategoryInput {
  name: string;
  description: string;
  position: number;
  colour: string;
  /** A category naming task forces and/or disciplines is private to their members (and moderators). */
  taskForceIds: number[];
  disciplines: Discipline[];
}

/** Relative luminance (WCAG 2.1). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/**
 * The text colour to put on the category colour: black or white, whichever contrasts more. Any
 * colour reaches 4.5:1 with one of them, so the admin's choice is stored as given.
 */
export function textColourOn(hex: string): '#000000' | '#ffffff' {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

interface CategoryListRow {
  id: number;
  name: string;
  description: string;
  position: number;
  colour: string;
  isPrivate: number;
  threadCount: number;
  postCount: number;
  lastPostAt: number | null;
  level: NotificationLevel | null;
}

function audiences(ctx: Ctx, ids: number[]) {
  const taskForces = all<{ categoryId: number; id: number; name: string }>(
    ctx.db,
    `SELECT ct.category_id AS categoryId, tf.id, tf.name FROM category_task_forces ct JOIN task_forces tf ON tf.id = ct.task_force_id
     WHERE ct.category_id IN (SELECT value FROM json_each(@ids)) ORDER BY tf.name`,
    { ids: idList(ids) }
  );
  const disciplines = all<{ categoryId: number; discipline: Discipline }>(
    ctx.db,
    `SELECT category_id AS categoryId, discipline FROM category_disciplines
     WHERE category_id IN (SELECT value FROM json_each(@ids)) ORDER BY discipline`,
    { ids: idList(ids) }
  );
  return (id: number) => ({
    taskForces: taskForces.filter((t) => t.categoryId === id).map((t) => ({ id: t.id, name: t.name })),
    disciplines: disciplines.filter((d) => d.categoryId === id).map((d) => d.discipline)
  });
}

/** The categories this member may read, in the admins' order, with their counts. Others do not exist for them. */
export function listCategories(ctx: Ctx) {
  authorize(ctx.actor, 'discussions.use');
  const rows = all<CategoryListRow>(
    ctx.db,
    `SELECT c.id, c.name, c.description, c.position, c.colour, c.is_private AS isPrivate, c.thread_count AS threadCount,
       c.post_count AS postCount, c.last_post_at AS lastPostAt, s.level
     FROM categories c LEFT JOIN category_subscriptions s ON s.category_id = c.id AND s.member_id = @me
     WHERE c.id IN (${READABLE_CATEGORY_IDS_SQL}) AND c.attached = 0 ORDER BY c.position, c.name`,
    { me: ctx.actor.id, ...readerParams(ctx.actor) }
  );
  const audienceOf = audiences(
    ctx,
    rows.filter((r) => r.isPrivate === 1).map((r) => r.id)
  );
  return {
    categories: rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      colour: r.colour,
      textColour: textColourOn(r.colour),
      isPrivate: r.isPrivate === 1,
      audience: r.isPrivate === 1 ? audienceOf(r.id) : null,
      threadCount: r.threadCount,
      postCount: r.postCount,
      lastPostAt: r.lastPostAt,
      notificationLevel: r.level ?? 'normal'
    }))
  };
}

/** Admin view: every category with its audience ids (for the edit form). */
export function adminListCategories(ctx: Ctx) {
  authorize(ctx.actor, 'categories.manage');
  const rows = all<CategoryListRow>(
    ctx.db,
    `SELECT id, name, description, position, colour, is_private AS isPrivate, thread_count AS threadCount,
       post_count AS postCount, last_post_at AS lastPostAt, NULL AS level FROM categories WHERE attached = 0
     ORDER BY position, name`
  );
  const audienceOf = audiences(
    ctx,
    rows.map((r) => r.id)
  );
  return {
    categories: rows.map((r) => {
      const audience = audienceOf(r.id);
      return {
        id: r.id,
        name: r.name,
        description: r.description,
        position: r.position,
        colour: r.colour,
        textColour: textColourOn(r.colour),
        isPrivate: r.isPrivate === 1,
        taskForceIds: audience.taskForces.map((t) => t.id),
        disciplines: audience.disciplines,
        threadCount: r.threadCount,
        postCount: r.postCount
      };
    })
  };
}

function validate(ctx: Ctx, raw: CategoryInput, exceptId?: number): CategoryInput {
  const name = raw.name.replace(/\s+/g, ' ').trim();
  if (name.length < 2) throw new Invalid('A category needs a name.', { name: 'At least 2 characters.' });
  const taken = get<{ id: number }>(ctx.db, 'SELECT id FROM categories WHERE lower(name) = lower(@name)', { name });
  if (taken && taken.id !== exceptId) throw new Conflict('A category with this name already exists.');
  const taskForceIds = [...new Set(raw.taskForceIds)];
  const known = all<{ id: number }>(ctx.db, 'SELECT id FROM task_forces WHERE id IN (SELECT value FROM json_each(@ids))', {
    ids: idList(taskForceIds)
  });
  if (known.length !== taskForceIds.length) {
    throw new Invalid('Choose task forces from the list.', { taskForceIds: 'A task force in the list does not exist.' });
  }
  return {
    name,
    description: raw.description.trim(),
    position: raw.position,
    colour: raw.colour.toLowerCase(),
    taskForceIds,
    disciplines: [...new Set(raw.disciplines)]
  };
}

function writeAudience(tx: Tx, id: number, input: CategoryInput): void {
  run(tx, 'DELETE FROM category_task_forces WHERE category_id = @id', { id });
  run(tx, 'DELETE FROM category_disciplines WHERE category_id = @id', { id });
  for (const taskForceId of input.taskForceIds) {
    run(tx, 'INSERT INTO category_task_forces (category_id, task_force_id) VALUES (@id, @taskForceId)', { id, taskForceId });
  }
  for (const discipline of input.disciplines) {
    run(tx, 'INSERT INTO category_disciplines (category_id, discipline) VALUES (@id, @discipline)', { id, discipline });
  }
}

const isPrivate = (input: CategoryInput) => (input.taskForceIds.length > 0 || input.disciplines.length > 0 ? 1 : 0);

export function createCategory(ctx: Ctx, raw: CategoryInput): { id: number } {
  authorize(ctx.actor, 'categories.manage');
  const input = validate(ctx, raw);
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) => {
    const id = Number(
      run(
        tx,
        `INSERT INTO categories (name, description, position, colour, is_private, created_at, updated_at)
         VALUES (@name, @description, @position, @colour, @isPrivate, @now, @now)`,
        { ...input, isPrivate: isPrivate(input), now }
      ).lastInsertRowid
    );
    writeAudience(tx, id, input);
    recordAudit(tx, ctx, {
      action: 'category.created',
      targetType: 'category',
      targetId: id,
      detail: { name: input.name, taskForceIds: input.taskForceIds, disciplines: input.disciplines }
    });
    return { id };
  });
}

export function updateCategory(ctx: Ctx, id: number, raw: CategoryInput): void {
  authorize(ctx.actor, 'categories.manage');
  // A resource's comments category follows the resource (its audience is edited there), never by hand.
  const existing = get<{ name: string; isPrivate: number }>(
    ctx.db,
    'SELECT name, is_private AS isPrivate FROM categories WHERE id = @id AND attached = 0',
    { id }
  );
  if (!existing) throw new NotFound('That category was not found.');
  const input = validate(ctx, raw, id);
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    run(
      tx,
      `UPDATE categories SET name = @name, description = @description, position = @position, colour = @colour,
         is_private = @isPrivate, updated_at = @now WHERE id = @id`,
      { ...input, isPrivate: isPrivate(input), now, id }
    );
    writeAudience(tx, id, input);
    recordAudit(tx, ctx, {
      action: 'category.updated',
      targetType: 'category',
      targetId: id,
      detail: {
        name: input.name,
        previousName: existing.name,
        taskForceIds: input.taskForceIds,
        disciplines: input.disciplines,
        wasPrivate: existing.isPrivate === 1
      }
    });
  });
}
