import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom, type PostView } from '$lib/discussions';
import type { PageServerLoad } from './$types';

interface Revisions {
  postId: number;
  current: { body: string; editedAt: number | null };
  revisions: { id: number; title: string | null; body: string; editedById: number; editedByName: string; replacedAt: number }[];
}

/** Earlier versions of a post, for its author and moderators (Markdown source, shown as text). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, 'That post was not found, or you do not have access to it.');
  const client = api(event);
  const [revisions, post] = await Promise.all([
    client.get<Revisions>(`/discussions/posts/${id}/revisions`),
    client.get<{ post: PostView; thread: { id: number; title: string } }>(`/discussions/posts/${id}`)
  ]);
  if (!revisions.ok) error(revisions.status === 400 ? 404 : revisions.status, revisions.error.message);
  if (!post.ok) error(post.status === 400 ? 404 : post.status, post.error.message);
  return {
    post: { id, number: post.data.post.number, author: post.data.post.author.name },
    thread: post.data.thread,
    current: revisions.data.current,
    revisions: revisions.data.revisions
  };
};
