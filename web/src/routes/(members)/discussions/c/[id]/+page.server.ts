import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { cursorFrom, idFrom, type CategorySummary, type ThreadList } from '$lib/discussions';
import { levelAction } from '../../actions.server';
import type { Actions, PageServerLoad } from './$types';

interface CategoryThreads extends ThreadList {
  category: { id: number; name: string; colour: string; isPrivate: boolean };
}

const notFound = 'That category was not found, or you do not have access to it.';

/** One category's threads by latest activity, pinned first (keyset pages: ?after=; moderators: ?view=deleted). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const params = event.url.searchParams;
  const after = cursorFrom(params.get('after'));
  const view = params.get('view') === 'deleted' ? 'deleted' : undefined;
  const client = api(event);
  const [list, categories] = await Promise.all([
    client.get<CategoryThreads>(`/discussions/categories/${id}/threads`, { after, view, limit: 25 }),
    client.get<{ categories: CategorySummary[] }>('/discussions/categories')
  ]);
  if (!list.ok) error(list.status === 400 ? 404 : list.status, list.error.message);
  const category = categories.ok ? categories.data.categories.find((c) => c.id === id) : undefined;
  return {
    category: list.data.category,
    description: category?.description ?? '',
    level: category?.notificationLevel ?? 'normal',
    threads: [...list.data.pinned, ...list.data.threads],
    next: list.data.next,
    paged: after !== undefined,
    view: view ?? 'active'
  };
};

export const actions: Actions = {
  level: async (event) => levelAction(event, `/discussions/categories/${idFrom(event.params.id) ?? 0}/notification-level`)
};
