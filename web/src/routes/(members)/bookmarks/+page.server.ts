import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { cursorFrom, idFrom, type ActionOutcome } from '$lib/discussions';
import { apiFailure } from '../discussions/actions.server';
import type { Actions, PageServerLoad } from './$types';

interface Bookmark {
  postId: number;
  number: number;
  bookmarkedAt: number;
  thread: { id: number; title: string };
  category: { id: number; name: string; colour: string };
  author: { id: number; name: string };
  createdAt: number;
  hidden: boolean;
  excerpt: string | null;
}

/** The member's own bookmarks, newest first (keyset pages: ?after=). */
export const load: PageServerLoad = async (event) => {
  const after = cursorFrom(event.url.searchParams.get('after'));
  const result = await api(event).get<{ bookmarks: Bookmark[]; next: string | null }>('/discussions/bookmarks', {
    after,
    limit: 25
  });
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.error.message);
  return { bookmarks: result.data.bookmarks, next: result.data.next, paged: after !== undefined };
};

export const actions: Actions = {
  remove: async (event) => {
    const data = await event.request.formData();
    const postId = idFrom(text(data, 'postId'));
    if (!postId) return fail(400, { scope: 'post', message: 'The form did not say which bookmark.' } satisfies ActionOutcome);
    const result = await api(event).post(`/discussions/posts/${postId}/bookmark`, { bookmarked: false });
    if (!result.ok) return apiFailure(result, 'post', data, postId);
    return {
      scope: 'post',
      postId,
      success: `Removed the bookmark on “${text(data, 'threadTitle').slice(0, 200)}”.`
    } satisfies ActionOutcome;
  }
};
