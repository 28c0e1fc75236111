import { error, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';

type Event = Pick<RequestEvent, 'fetch' | 'cookies' | 'locals'>;

/** Editors and administrators write spotlights; everyone else is told so (the API refuses them too). */
export function requireEditor(event: Event): void {
  const role = event.locals.member?.role;
  if (role !== 'editor' && role !== 'admin') error(403, 'Only spotlight editors and administrators can do this.');
}

export const isEditor = (role: string | undefined) => role === 'editor' || role === 'admin';

export async function taskForceOptions(event: Pick<RequestEvent, 'fetch' | 'cookies'>) {
  const result = await api(event).get<{ taskForces: { id: number; name: string }[] }>('/task-forces/options');
  return result.ok ? result.data.taskForces.map((t) => ({ id: t.id, name: t.name })) : [];
}
