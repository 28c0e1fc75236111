import { json } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { RequestHandler } from './$types';

/** Tag suggestions for the tags field's script (tags on resources the member may see, most used first). */
export const GET: RequestHandler = async (event) => {
  const q = (event.url.searchParams.get('q') ?? '').trim().toLowerCase().slice(0, 40);
  const result = await api(event).get<{ tags: { name: string; count: number }[] }>('/resources/tags', { q, limit: 10 });
  if (!result.ok) return json({ tags: [], message: result.error.message }, { status: result.status });
  return json({ tags: result.data.tags }, { headers: { 'cache-control': 'no-store' } });
};
