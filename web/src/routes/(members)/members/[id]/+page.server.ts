import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import type { MemberProfile } from '$lib/components/directory/directory';
import type { PageServerLoad } from './$types';

const notFound = 'That member was not found.';

export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const result = await api(event).get<{ member: MemberProfile }>(`/members/${id}`);
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.status === 404 ? notFound : result.error.message);
  return { member: result.data.member, saved: event.url.searchParams.get('saved') === '1' };
};
