import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import {
  isSort,
  isStatus,
  type SuggestionSort,
  type SuggestionStatus,
  type SuggestionSummary
} from '$lib/components/suggestions/suggestions';
import { voteAction } from './vote.server';
import type { Actions, PageServerLoad } from './$types';

/** The board: sort, status and words in the address (a GET form), keyset pages with ?after=. */
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const sort = params.get('sort') ?? '';
  const status = params.get('status') ?? '';
  const filters = {
    q: (params.get('q') ?? '').trim().slice(0, 300),
    status: (isStatus(status) ? status : '') as SuggestionStatus | '',
    sort: (isSort(sort) ? sort : 'votes') as SuggestionSort
  };
  const after = params.get('after');
  const result = await api(event).get<{ suggestions: SuggestionSummary[]; next: string | null }>('/suggestions', {
    ...filters,
    after: after && after.length <= 40 ? after : undefined,
    limit: 20
  });
  const base = {
    filters,
    paged: Boolean(after),
    deleted: params.get('deleted') === '1',
    suggestions: [] as SuggestionSummary[],
    next: null as string | null,
    message: null as string | null,
    fields: {} as Record<string, string>
  };
  if (!result.ok) {
    if (result.status >= 500 || result.status === 403 || result.status === 401) error(result.status, result.error.message);
    return { ...base, message: result.error.message, fields: result.error.fields ?? {} };
  }
  return { ...base, suggestions: result.data.suggestions, next: result.data.next };
};

export const actions: Actions = {
  vote: async (event) => voteAction(event)
};
