import { fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

export interface NotificationItem {
  id: number;
  kind: string;
  text: string;
  url: string | null;
  createdAt: number;
  readAt: number | null;
  thread: { id: number; title: string } | null;
  excerpt: string | null;
  message: string | null;
}

interface NotificationPage {
  notifications: NotificationItem[];
  next: number | null;
  unreadCount: number;
  lastId: number;
}

const wholeId = (raw: string | null) => (raw && /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : undefined);

/** Newest first; "Older notifications" pages by id (?before=). */
export const load: PageServerLoad = async (event) => {
  const before = wholeId(event.url.searchParams.get('before'));
  const result = await api(event).get<NotificationPage>('/notifications', { before });
  if (!result.ok)
    return { notifications: [], next: null, unreadCount: 0, lastId: 0, before: before ?? null, loadError: result.error.message };
  return { ...result.data, before: before ?? null, loadError: null };
};

export const actions: Actions = {
  read: async (event) => {
    const data = await event.request.formData();
    const id = wholeId(text(data, 'id'));
    if (!id) return fail(400, { message: 'The form did not say which notification.', id: null });
    const result = await api(event).post<{ unreadCount: number }>(`/notifications/${id}/read`);
    if (!result.ok) return fail(result.status, { message: result.error.message, id });
    return { success: 'Marked as read.', id };
  },
  readAll: async (event) => {
    const data = await event.request.formData();
    const upTo = wholeId(text(data, 'upTo'));
    const result = await api(event).post<{ marked: number }>('/notifications/read-all', upTo ? { upTo } : {});
    if (!result.ok) return fail(result.status, { message: result.error.message, id: null });
    const n = result.data.marked;
    return {
      success: n === 0 ? 'Nothing was unread.' : `Marked ${n} ${n === 1 ? 'notification' : 'notifications'} as read.`,
      id: null
    };
  }
};
