import { error, fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { idFrom, type ActionOutcome, type CategorySummary } from '$lib/discussions';
import { apiFailure, draftAction, previewAction, privacyConfirmation } from '../../../actions.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That category was not found, or you do not have access to it.';

/** Start a thread in a category; the thread being written is kept as a draft of the category. */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const client = api(event);
  const [categories, draft] = await Promise.all([
    client.get<{ categories: CategorySummary[] }>('/discussions/categories'),
    client.get<{ draft: { title: string | null; body: string } | null }>(`/discussions/categories/${id}/draft`)
  ]);
  if (!categories.ok) error(categories.status, categories.error.message);
  const category = categories.data.categories.find((c) => c.id === id);
  if (!category) error(404, notFound);
  const saved = draft.ok ? draft.data.draft : null;
  return {
    category: { id: category.id, name: category.name, colour: category.colour, isPrivate: category.isPrivate },
    draft: saved && (saved.body.trim() || saved.title?.trim()) ? saved : null
  };
};

const draftPath = (params: { id: string }) => `/discussions/categories/${idFrom(params.id) ?? 0}/draft`;

export const actions: Actions = {
  create: async (event) => {
    const id = idFrom(event.params.id);
    const data = await event.request.formData();
    if (!id) return fail(404, { scope: 'composer', message: notFound } satisfies ActionOutcome);
    const privacy = privacyConfirmation(data);
    if (!privacy.ok) return privacy.failure;
    const result = await api(event).post<{ threadId: number; postId: number }>(`/discussions/categories/${id}/threads`, {
      title: text(data, 'title'),
      body: text(data, 'body'),
      ...privacy.confirm
    });
    if (!result.ok) return apiFailure(result, 'composer', data);
    redirect(303, `/discussions/t/${result.data.threadId}`);
  },
  preview: async (event) => previewAction(event, await event.request.formData(), true),
  saveDraft: async (event) => draftAction(event, await event.request.formData(), draftPath(event.params), true),
  discardDraft: async (event) => {
    const data = new FormData();
    data.set('body', '');
    data.set('title', '');
    return draftAction(event, data, draftPath(event.params), true);
  }
};
