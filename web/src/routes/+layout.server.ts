import { api } from '$lib/server/api';
import type { LayoutServerLoad } from './$types';

/** The header's bell needs the unread count (and the socket its starting cursor) for active members. */
export const load: LayoutServerLoad = async (event) => {
  const member = event.locals.member;
  const active = member !== null && member.status === 'active' && member.onboarding === null;
  if (!active) return { member, notifications: null };
  // `messages`: unread direct messages, for the header's "Messages (N unread)".
  const result = await api(event).get<{ unreadCount: number; lastId: number; messages?: number }>('/notifications/unread-count');
  return { member, notifications: result.ok ? result.data : null };
};
