import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { DISCIPLINE_LABELS } from '$lib/forms';
import { idFrom } from '$lib/discussions';
import { STATE_NAMES, type DirectoryOptions, type MemberCard } from '$lib/components/directory/directory';
import type { PageServerLoad } from './$types';

const NO_OPTIONS: DirectoryOptions = { disciplines: [], states: [], languages: [], expertise: [], taskForces: [] };

/** The directory: search and filters in the address (a GET form), keyset pages with ?after=. */
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const discipline = params.get('discipline') ?? '';
  const state = (params.get('state') ?? '').toUpperCase();
  const filters = {
    q: (params.get('q') ?? '').trim().slice(0, 100),
    discipline: discipline in DISCIPLINE_LABELS ? discipline : '',
    state: state in STATE_NAMES ? state : '',
    taskForceId: idFrom(params.get('taskForceId')) ? params.get('taskForceId')! : '',
    expertise: (params.get('expertise') ?? '').trim().slice(0, 40),
    language: (params.get('language') ?? '').trim().slice(0, 40)
  };
  const after = params.get('after');
  const client = api(event);
  const [result, options] = await Promise.all([
    client.get<{ members: MemberCard[]; next: string | null }>('/members', {
      ...filters,
      after: after && after.length <= 200 ? after : undefined,
      limit: 20
    }),
    client.get<DirectoryOptions>('/directory/options')
  ]);
  const base = {
    filters,
    paged: Boolean(after),
    options: options.ok ? options.data : NO_OPTIONS,
    members: [] as MemberCard[],
    next: null as string | null,
    message: null as string | null,
    fields: {} as Record<string, string>
  };
  if (!result.ok) {
    if (result.status >= 500 || result.status === 403 || result.status === 401) error(result.status, result.error.message);
    return { ...base, message: result.error.message, fields: result.error.fields ?? {} };
  }
  return { ...base, members: result.data.members, next: result.data.next };
};
