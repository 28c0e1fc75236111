import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { isKind, type ConsentRequest, type Spotlight, type SpotlightSummary } from '$lib/components/spotlights/spotlights';
import type { PageServerLoad } from './$types';

/** The current spotlight, the archive by week (search and kind in the address, keyset pages with ?after=), and what waits on me. */
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const kind = params.get('kind') ?? '';
  const filters = { q: (params.get('q') ?? '').trim().slice(0, 200), kind: isKind(kind) ? kind : '' };
  const rawAfter = params.get('after');
  const after = rawAfter && rawAfter.length <= 200 ? rawAfter : null;
  const client = api(event);
  const [archive, current, requests] = await Promise.all([
    client.get<{ spotlights: SpotlightSummary[]; next: string | null }>('/spotlights', { ...filters, after, limit: 20 }),
    client.get<{ spotlight: Spotlight | null }>('/spotlights/current'),
    client.get<{ requests: ConsentRequest[] }>('/spotlights/consent-requests')
  ]);
  const base = {
    filters,
    paged: Boolean(after),
    current: current.ok ? current.data.spotlight : null,
    requests: requests.ok ? requests.data.requests : [],
    withdrawn: params.get('withdrawn') === '1',
    spotlights: [] as SpotlightSummary[],
    next: null as string | null,
    message: null as string | null,
    fields: {} as Record<string, string>
  };
  if (!archive.ok) {
    if (archive.status >= 500 || archive.status === 403) error(archive.status, archive.error.message);
    return { ...base, message: archive.error.message, fields: archive.error.fields ?? {} };
  }
  return { ...base, spotlights: archive.data.spotlights, next: archive.data.next };
};
