import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import type { TaskForcePage } from '$lib/components/directory/directory';
import type { PageServerLoad } from './$types';

const notFound = 'That task force was not found.';

export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const result = await api(event).get<TaskForcePage>(`/task-forces/${id}`);
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.status === 404 ? notFound : result.error.message);
  return result.data;
};
