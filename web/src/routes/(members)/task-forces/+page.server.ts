import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { usMap } from '$lib/server/usMap';
import { STATE_NAMES, stateName, type TaskForceSummary } from '$lib/components/directory/directory';
import type { PageServerLoad } from './$types';

export interface StateGroup {
  code: string;
  name: string;
  taskForces: TaskForceSummary[];
}

export const load: PageServerLoad = async (event) => {
  const result = await api(event).get<{ taskForces: TaskForceSummary[] }>('/task-forces');
  if (!result.ok) error(result.status, result.error.message);

  // One task force may cover several states: it is listed under each.
  const byState = new Map<string, TaskForceSummary[]>();
  for (const taskForce of result.data.taskForces) {
    for (const code of taskForce.states) byState.set(code, [...(byState.get(code) ?? []), taskForce]);
  }
  const groups: StateGroup[] = [...byState.entries()]
    .map(([code, taskForces]) => ({ code, name: stateName(code), taskForces }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const asked = (event.url.searchParams.get('state') ?? '').toUpperCase();
  const state = asked in STATE_NAMES ? asked : null;
  const map = usMap();
  return {
    groups,
    state,
    stateName: state ? stateName(state) : null,
    unknownState: asked !== '' && state === null,
    taskForceCount: result.data.taskForces.length,
    map: {
      viewBox: map.viewBox,
      states: map.states.map((s) => ({ ...s, count: byState.get(s.code)?.length ?? 0 }))
    },
    /** States and territories with task forces that the map does not draw (Puerto Rico, Guam…). */
    offMap: groups.filter((g) => !map.states.some((s) => s.code === g.code)).map((g) => ({ code: g.code, name: g.name }))
  };
};
