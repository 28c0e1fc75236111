import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { PageServerLoad } from './$types';

interface MembershipRequestRow {
  id: number;
  fullName: string;
  email: string;
  agency: string;
  jobTitle: string;
  discipline: string;
  taskForceId: number | null;
  taskForceName: string | null;
  status: string;
  knownAgency: boolean;
  submittedAt: number | null;
}

const DONE = ['approved', 'declined', 'asked'] as const;
type Done = (typeof DONE)[number];

export const load: PageServerLoad = async (event) => {
  const view = event.url.searchParams.get('view') === 'decided' ? 'decided' : 'open';
  const after = event.url.searchParams.get('after') ?? undefined;
  const result = await api(event).get<{ requests: MembershipRequestRow[]; next: string | null }>('/admin/membership-requests', {
    view,
    after,
    limit: 25
  });
  if (!result.ok) error(result.status >= 400 ? result.status : 500, result.error.message);
  const done = event.url.searchParams.get('done');
  return {
    view,
    paged: Boolean(after),
    requests: result.data.requests,
    next: result.data.next,
    done: DONE.includes(done as Done) ? (done as Done) : null,
    doneName: (event.url.searchParams.get('name') ?? '').slice(0, 120)
  };
};
