import { json } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import type { WhoReacted } from './+page.server';
import type { RequestHandler } from './$types';

/** The same list as JSON, for the thread page's "Who reacted" disclosure (asked with Accept: application/json). */
export const GET: RequestHandler = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) return json({ reactions: [], message: 'Not found.' }, { status: 404 });
  const result = await api(event).get<WhoReacted>(`/discussions/posts/${id}/reactions`);
  if (!result.ok) return json({ reactions: [], message: result.error.message }, { status: result.status });
  return json(result.data, { headers: { 'cache-control': 'no-store' } });
};
