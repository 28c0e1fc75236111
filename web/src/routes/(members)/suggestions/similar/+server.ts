import { json } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { SuggestionSummary } from '$lib/components/suggestions/suggestions';
import type { RequestHandler } from './$types';

/** Duplicate hints for the new-suggestion page's script, through the one API client. */
export const GET: RequestHandler = async (event) => {
  const q = (event.url.searchParams.get('q') ?? '').slice(0, 300);
  if (!q.trim()) return json({ suggestions: [] });
  const result = await api(event).get<{ suggestions: SuggestionSummary[] }>('/suggestions/similar', { q });
  if (!result.ok) return json({ suggestions: [], message: result.error.message }, { status: result.status });
  return json({ suggestions: result.data.suggestions });
};
