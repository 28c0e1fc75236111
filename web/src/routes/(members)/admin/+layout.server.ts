import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { LayoutServerLoad } from './$types';

/** Staff only; the open-request count feeds the badge in the staff navigation. */
export const load: LayoutServerLoad = async (event) => {
  const { member } = await event.parent();
  if (member.role === 'member') error(403, 'Staff only.');
  const counts = await api(event).get<{ pendingRequests: number }>('/admin/counts');
  return {
    pendingRequests: counts.ok ? counts.data.pendingRequests : 0,
    // Mirrors the API's membership.review rule, only to decide which links to offer.
    canReview: member.role === 'admin' || (member.role === 'coordinator' && member.taskForceId !== null),
    isAdmin: member.role === 'admin',
    canModerate: member.role === 'moderator' || member.role === 'admin'
  };
};
