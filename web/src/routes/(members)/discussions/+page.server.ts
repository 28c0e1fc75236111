import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { cursorFrom, type CategorySummary, type ThreadList } from '$lib/discussions';
import type { PageServerLoad } from './$types';

/** The categories this member may read, and the latest threads across them (keyset pages: ?after=). */
export const load: PageServerLoad = async (event) => {
  const after = cursorFrom(event.url.searchParams.get('after'));
  const client = api(event);
  const [categories, latest] = await Promise.all([
    client.get<{ categories: CategorySummary[] }>('/discussions/categories'),
    client.get<ThreadList>('/discussions/threads/latest', { after, limit: 20 })
  ]);
  if (!categories.ok) error(categories.status, categories.error.message);
  if (!latest.ok) error(latest.status === 400 ? 404 : latest.status, latest.error.message);
  return { categories: categories.data.categories, latest: latest.data, paged: after !== undefined };
};
