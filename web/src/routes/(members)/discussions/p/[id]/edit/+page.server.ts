import { error, fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { idFrom, postHref, type ActionOutcome, type PostView } from '$lib/discussions';
import { apiFailure, previewAction, privacyConfirmation } from '../../../actions.server';
import type { Actions, PageServerLoad } from './$types';

interface PostDetail {
  post: PostView;
  thread: { id: number; title: string; categoryId: number; firstPostId: number };
  pageFrom: number;
  source: string | null;
}

const notFound = 'That post was not found, or you do not have access to it.';

/** Edit one's own post (the opening post also carries the thread title). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const result = await api(event).get<PostDetail>(`/discussions/posts/${id}`);
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.error.message);
  const { post, thread, source } = result.data;
  if (!post.can.edit || source === null) error(403, 'You can only edit your own posts, while the thread is open.');
  return {
    post: { id: post.id, number: post.number },
    thread: { id: thread.id, title: thread.title },
    isOpening: post.number === 1,
    source
  };
};

export const actions: Actions = {
  save: async (event) => {
    const id = idFrom(event.params.id);
    const data = await event.request.formData();
    if (!id) return fail(404, { scope: 'composer', message: notFound } satisfies ActionOutcome);
    const privacy = privacyConfirmation(data);
    if (!privacy.ok) return privacy.failure;
    const threadId = idFrom(text(data, 'threadId'));
    const number = idFrom(text(data, 'number'));
    const opening = number === 1;
    const result = await api(event).patch<{ edited: boolean }>(`/discussions/posts/${id}`, {
      body: text(data, 'body'),
      ...(opening ? { title: text(data, 'title') } : {}),
      ...privacy.confirm
    });
    if (!result.ok) return apiFailure(result, 'composer', data);
    redirect(303, threadId && number ? postHref(threadId, number) : `/discussions/p/${id}`);
  },
  preview: async (event) => {
    const data = await event.request.formData();
    return previewAction(event, data, text(data, 'number') === '1');
  }
};
