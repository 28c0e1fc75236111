import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom, type PostView, type Reaction } from '$lib/discussions';
import type { PageServerLoad } from './$types';

export interface WhoReacted {
  reactions: { kind: Reaction; count: number; members: { id: number; name: string }[] }[];
}

/** Who reacted to a post (the thread page's "Who reacted" links here when JavaScript is off). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, 'That post was not found, or you do not have access to it.');
  const client = api(event);
  const [who, post] = await Promise.all([
    client.get<WhoReacted>(`/discussions/posts/${id}/reactions`),
    client.get<{ post: PostView; thread: { id: number; title: string } }>(`/discussions/posts/${id}`)
  ]);
  if (!who.ok) error(who.status === 400 ? 404 : who.status, who.error.message);
  if (!post.ok) error(post.status === 400 ? 404 : post.status, post.error.message);
  return {
    post: { id, number: post.data.post.number, author: post.data.post.author.name },
    thread: post.data.thread,
    reactions: who.data.reactions
  };
};
