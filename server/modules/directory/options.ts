import { DISCIPLINES, type Discipline } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { directoryParams, fieldVisibleSql } from '../../policies/directory.ts';
import { all } from '../discussions/sql.ts';
import { LISTED_FROM, LISTED_WHERE } from './list.ts';

/**
 * What the directory's filter selects offer. Counts are over listed active members and only over
 * values the viewer may see: a value only a hidden field holds is not offered (no oracle).
 */

const DISCIPLINE_LABELS: Record<Discipline, string> = {
  law_enforcement: 'Law enforcement',
  prosecution: 'Prosecution',
  victim_services: 'Victim services',
  task_force_coordination: 'Task-force coordination',
  other: 'Other'
};

const EXPERTISE_OPTIONS = 100;
const AUTOCOMPLETE = 10;

export function directoryOptions(ctx: Ctx) {
  authorize(ctx.actor, 'directory.use');
  const params = directoryParams(ctx.actor);
  const disciplineCounts = new Map(
    all<{ value: Discipline; count: number }>(
      ctx.db,
      `SELECT m.discipline AS value, count(*) AS count FROM ${LISTED_FROM}
       WHERE ${LISTED_WHERE} AND ${fieldVisibleSql('discipline')} GROUP BY m.discipline`,
      params
    ).map((r) => [r.value, r.count])
  );
  const states = all<{ code: string; count: number }>(
    ctx.db,
    `SELECT p.state AS code, count(*) AS count FROM ${LISTED_FROM}
     WHERE ${LISTED_WHERE} AND p.state IS NOT NULL AND ${fieldVisibleSql('state')} GROUP BY p.state ORDER BY p.state`,
    params
  );
  const languages = all<{ name: string; count: number }>(
    ctx.db,
    `SELECT min(l.value) AS name, count(DISTINCT m.id) AS count FROM ${LISTED_FROM}, json_each(p.languages) l
     WHERE ${LISTED_WHERE} AND ${fieldVisibleSql('languages')} GROUP BY lower(l.value) ORDER BY lower(l.value)`,
    params
  );
  const expertise = all<{ tag: string; count: number }>(
    ctx.db,
    `SELECT e.tag, count(*) AS count FROM ${LISTED_FROM} JOIN member_expertise e ON e.member_id = m.id
     WHERE ${LISTED_WHERE} AND ${fieldVisibleSql('expertise')} GROUP BY e.tag ORDER BY count DESC, e.tag LIMIT ${EXPERTISE_OPTIONS}`,
    params
  );
  const taskForces = all<{ id: number; name: string }>(ctx.db, 'SELECT id, name FROM task_forces ORDER BY name');
  return {
    disciplines: DISCIPLINES.map((value) => ({
      value,
      label: DISCIPLINE_LABELS[value],
      count: disciplineCounts.get(value) ?? 0
    })),
    states,
    languages,
    expertise,
    taskForces
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Tags for the expertise field as the member types: starting with the text first, then containing it. */
export function expertiseSuggestions(ctx: Ctx, q: string) {
  authorize(ctx.actor, 'directory.use');
  const text = q.replace(/\s+/g, ' ').trim().toLowerCase();
  if (text === '') return { tags: [] };
  const tags = all<{ tag: string; count: number }>(
    ctx.db,
    `SELECT e.tag, count(*) AS count FROM ${LISTED_FROM} JOIN member_expertise e ON e.member_id = m.id
     WHERE ${LISTED_WHERE} AND e.tag LIKE @contains ESCAPE '\\' AND ${fieldVisibleSql('expertise')}
     GROUP BY e.tag ORDER BY (e.tag LIKE @prefix ESCAPE '\\') DESC, count DESC, e.tag LIMIT ${AUTOCOMPLETE}`,
    { ...directoryParams(ctx.actor), contains: `%${escapeLike(text)}%`, prefix: `${escapeLike(text)}%` }
  );
  return { tags };
}
