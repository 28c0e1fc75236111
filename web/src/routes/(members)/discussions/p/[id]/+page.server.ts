import { error, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { commentHref, idFrom, postHref, type PostView } from '$lib/discussions';
import type { PageServerLoad } from './$types';

/** A post's permanent address: it opens the page that holds it (used by notifications, search and quotes). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, 'That post was not found, or you do not have access to it.');
  const result = await api(event).get<{ post: PostView; thread: { id: number; home: string | null } }>(
    `/discussions/posts/${id}`
  );
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.error.message);
  const { thread, post } = result.data;
  redirect(303, thread.home ? commentHref(thread.home, post.number) : postHref(thread.id, post.number));
};
