import { json } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom, type MentionCandidate } from '$lib/discussions';
import type { RequestHandler } from './$types';

/**
 * Mention suggestions for the composer's script: members who may read the thread (or, for a new
 * thread, the category). The browser never calls /api itself; this goes through the one client.
 */
export const GET: RequestHandler = async (event) => {
  const params = event.url.searchParams;
  const q = (params.get('q') ?? '').slice(0, 100);
  const threadId = idFrom(params.get('threadId'));
  const categoryId = threadId ? null : idFrom(params.get('categoryId'));
  if (!threadId && !categoryId) return json({ members: [], message: 'Name a thread or a category.' }, { status: 400 });
  const result = await api(event).get<{ members: MentionCandidate[] }>('/discussions/mention-candidates', {
    q,
    threadId,
    categoryId
  });
  if (!result.ok) return json({ members: [], message: result.error.message }, { status: result.status });
  return json({ members: result.data.members }, { headers: { 'cache-control': 'no-store' } });
};
