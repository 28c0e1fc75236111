import { error, fail, type ActionFailure } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { DISCIPLINE_LABELS } from '$lib/forms';
import { idFrom } from '$lib/discussions';
import {
  isResourceType,
  isSort,
  TYPE_LABELS,
  type ResourceSummary,
  type ResourceType
} from '$lib/components/resources/resources';
import { formChoices } from './shared.server';
import type { Actions, PageServerLoad } from './$types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The library: filters and sort in the address (a GET form), keyset pages with ?after=. */
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const type = params.get('type') ?? '';
  const sort = params.get('sort') ?? '';
  const discipline = params.get('discipline') ?? '';
  const filters = {
    q: (params.get('q') ?? '').trim().slice(0, 300),
    type: (isResourceType(type) ? type : '') as ResourceType | '',
    tag: (params.get('tag') ?? '').trim().toLowerCase().slice(0, 40),
    taskForceId: idFrom(params.get('taskForceId')) ? params.get('taskForceId')! : '',
    discipline: discipline in DISCIPLINE_LABELS ? discipline : '',
    from: DAY.test(params.get('from') ?? '') ? params.get('from')! : '',
    to: DAY.test(params.get('to') ?? '') ? params.get('to')! : '',
    sort: isSort(sort) ? sort : 'newest'
  };
  const after = params.get('after');
  const client = api(event);
  const [result, choices, watches] = await Promise.all([
    client.get<{ resources: ResourceSummary[]; next: string | null }>('/resources', {
      ...filters,
      sort: filters.sort === 'newest' ? undefined : filters.sort,
      after: after && after.length <= 200 ? after : undefined,
      limit: 20
    }),
    formChoices(event),
    client.get<{ tags: string[]; types: ResourceType[] }>('/resources/watches')
  ]);
  const base = {
    filters,
    paged: Boolean(after),
    deleted: params.get('deleted') === '1',
    ...choices,
    watches: watches.ok ? watches.data : { tags: [], types: [] },
    resources: [] as ResourceSummary[],
    next: null as string | null,
    message: null as string | null,
    fields: {} as Record<string, string>
  };
  if (!result.ok) {
    if (result.status >= 500 || result.status === 403) error(result.status, result.error.message);
    return { ...base, message: result.error.message, fields: result.error.fields ?? {} };
  }
  return { ...base, resources: result.data.resources, next: result.data.next };
};

interface WatchOutcome {
  success?: string;
  message?: string;
}

export const actions: Actions = {
  /** Notify me of new resources with this tag or of this type (notification kind resource_shared). */
  watch: async (event): Promise<{ watch: WatchOutcome } | ActionFailure<{ watch: WatchOutcome }>> => {
    const data = await event.request.formData();
    const tag = String(data.get('tag') ?? '');
    const type = String(data.get('type') ?? '');
    if (!tag && !isResourceType(type)) return fail(400, { watch: { message: 'Choose a tag or a type to watch.' } });
    const watching = data.get('watching') === 'true';
    const result = await api(event).post<{ tags: string[]; types: string[] }>('/resources/watches', {
      ...(tag ? { tag } : { type }),
      watching
    });
    if (!result.ok) return fail(result.status, { watch: { message: result.error.message } });
    const what = tag ? `resources tagged “${tag}”` : `resources of the type “${TYPE_LABELS[type as ResourceType]}”`;
    return {
      watch: { success: watching ? `You will be notified of new ${what}.` : `You will no longer be notified of ${what}.` }
    };
  }
};
