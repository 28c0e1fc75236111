import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { directoryParams, fieldVisibleSql } from '../../policies/directory.ts';
import { readerParams } from '../../policies/discussions.ts';
import { READABLE_RESOURCE_SQL } from '../../policies/resources.ts';
import { NotFound } from '../../shared/errors.ts';
import { excerpt } from '../../shared/markdown.ts';
import { all, get } from '../discussions/sql.ts';
import { cardsFor, findMemberIds, LISTED_FROM, LISTED_WHERE } from '../directory/list.ts';

/**
 * Task-force pages for members: the list (for the map and its list alternative) and one task force
 * with its listed members, its resources and its spotlights. A member counts and appears here only
 * when they show their task force to the viewer (the directory rule), so a count is no oracle.
 */

const PAGE_MEMBERS = 100;
const PAGE_RESOURCES = 20;
const PAGE_SPOTLIGHTS = 20;

interface TaskForceRow {
  id: number;
  name: string;
  states: string;
  region: string;
  leadAgency: string;
  description: string;
}

const parseStates = (json: string): string[] => {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
};

function listedCounts(ctx: Ctx, taskForceId?: number): Map<number, number> {
  const rows = all<{ id: number; count: number }>(
    ctx.db,
    `SELECT m.task_force_id AS id, count(*) AS count FROM ${LISTED_FROM}
     WHERE ${LISTED_WHERE} AND m.task_force_id IS NOT NULL ${taskForceId !== undefined ? 'AND m.task_force_id = @taskForceId' : ''}
       AND ${fieldVisibleSql('taskForce')}
     GROUP BY m.task_force_id`,
    { ...directoryParams(ctx.actor), ...(taskForceId !== undefined ? { taskForceId } : {}) }
  );
  return new Map(rows.map((r) => [r.id, r.count]));
}

export function listTaskForcesForMembers(ctx: Ctx) {
  authorize(ctx.actor, 'directory.use');
  const counts = listedCounts(ctx);
  const rows = all<TaskForceRow>(
    ctx.db,
    'SELECT id, name, states, region, lead_agency AS leadAgency FROM task_forces ORDER BY name COLLATE NOCASE, id'
  );
  return {
    taskForces: rows.map((r) => ({
      id: r.id,
      name: r.name,
      states: parseStates(r.states),
      region: r.region,
      leadAgency: r.leadAgency,
      listedMemberCount: counts.get(r.id) ?? 0
    }))
  };
}

export function getTaskForcePage(ctx: Ctx, id: number) {
  authorize(ctx.actor, 'directory.use');
  const row = get<TaskForceRow>(
    ctx.db,
    'SELECT id, name, states, region, lead_agency AS leadAgency, description FROM task_forces WHERE id = @id',
    { id }
  );
  if (!row) throw new NotFound('That task force was not found.');
  const { ids } = findMemberIds(ctx, { words: [], taskForceId: id }, { limit: PAGE_MEMBERS });
  const resources = all<{ id: number; title: string; kind: 'file' | 'link'; type: string; text: string; updatedAt: number }>(
    ctx.db,
    `SELECT r.id, r.title, r.kind, r.type, r.description_text AS text, r.updated_at AS updatedAt FROM resources r
     WHERE r.origin_task_force_id = @id AND r.deleted_at IS NULL AND ${READABLE_RESOURCE_SQL}
     ORDER BY r.updated_at DESC, r.id DESC LIMIT ${PAGE_RESOURCES}`,
    { id, ...readerParams(ctx.actor) }
  );
  const spotlights = all<{ id: number; kind: string; title: string; summary: string; week: string | null; publishedAt: number }>(
    ctx.db,
    `SELECT id, kind, title, summary, week, published_at AS publishedAt FROM spotlights
     WHERE featured_task_force_id = @id AND published_at IS NOT NULL AND deleted_at IS NULL
     ORDER BY published_at DESC, id DESC LIMIT ${PAGE_SPOTLIGHTS}`,
    { id }
  );
  return {
    taskForce: {
      id: row.id,
      name: row.name,
      states: parseStates(row.states),
      region: row.region,
      leadAgency: row.leadAgency,
      description: row.description,
      listedMemberCount: listedCounts(ctx, id).get(id) ?? 0
    },
    members: cardsFor(ctx, ids),
    resources: resources.map((r) => ({
      id: r.id,
      title: r.title,
      kind: r.kind,
      type: r.type,
      summary: excerpt(r.text, 200),
      updatedAt: r.updatedAt
    })),
    spotlights
  };
}
