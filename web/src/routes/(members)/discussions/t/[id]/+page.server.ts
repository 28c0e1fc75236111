import { error, fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { idFrom, postHref, type ActionOutcome, type CategorySummary, type ThreadPage } from '$lib/discussions';
import { apiFailure, draftAction, levelAction, postActions, previewAction, privacyConfirmation } from '../../actions.server';
import { moderatorActions } from '../../moderation.server';
import type { Actions, PageServerLoad } from './$types';

interface Draft {
  title: string | null;
  body: string;
  updatedAt: number;
}

const notFound = 'That thread was not found, or you do not have access to it.';

/** One page of a thread: by default from the member's first unread post (?from= and ?before= page through). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const params = event.url.searchParams;
  const before = idFrom(params.get('before'));
  const from = before ? null : idFrom(params.get('from'));
  const query = before ? { before } : from ? { from } : { unread: 'true' };
  const client = api(event);
  const result = await client.get<ThreadPage>(`/discussions/threads/${id}`, query);
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.error.message);
  const page = result.data;
  // Comments on a resource, spotlight or suggestion are read on that page.
  if (page.thread.home) redirect(303, page.thread.home);
  const [draft, categories] = await Promise.all([
    page.thread.can.reply ? client.get<{ draft: Draft | null }>(`/discussions/threads/${id}/draft`) : null,
    page.thread.can.moderate ? client.get<{ categories: CategorySummary[] }>('/discussions/categories') : null
  ]);
  const firstUnread = page.reading.firstUnreadNumber;
  const onPage = (n: number | null) => n !== null && page.posts.some((p) => p.number === n);
  return {
    page,
    draft: draft?.ok && draft.data.draft && draft.data.draft.body.trim() ? draft.data.draft : null,
    categories: categories?.ok ? categories.data.categories.map((c) => ({ id: c.id, name: c.name })) : [],
    /** Opened without a page asked for: scroll to the first unread post (the first post needs no scrolling). */
    jumpTo: !before && !from && firstUnread !== null && firstUnread > 1 && onPage(firstUnread) ? firstUnread : null,
    /** The "new" marker goes before this post: only for a member who read part of the thread before. */
    newFrom: page.reading.lastReadNumber > 0 && onPage(firstUnread) ? firstUnread : null
  };
};

function threadId(params: { id: string }) {
  return idFrom(params.id);
}

export const actions: Actions = {
  reply: async (event) => {
    const id = threadId(event.params);
    const data = await event.request.formData();
    if (!id) return fail(404, { scope: 'composer', message: notFound } satisfies ActionOutcome);
    const privacy = privacyConfirmation(data);
    if (!privacy.ok) return privacy.failure;
    const result = await api(event).post<{ postId: number; number: number }>(`/discussions/threads/${id}/posts`, {
      body: text(data, 'body'),
      quotePostId: idFrom(text(data, 'quotePostId')),
      ...privacy.confirm
    });
    if (!result.ok) return apiFailure(result, 'composer', data);
    redirect(303, postHref(id, result.data.number));
  },
  preview: async (event) => previewAction(event, await event.request.formData(), false),
  saveDraft: async (event) => {
    const data = await event.request.formData();
    return draftAction(event, data, `/discussions/threads/${threadId(event.params) ?? 0}/draft`, false);
  },
  discardDraft: async (event) => {
    const data = new FormData();
    data.set('body', '');
    return draftAction(event, data, `/discussions/threads/${threadId(event.params) ?? 0}/draft`, false);
  },
  /** How far the member has read: the page's script reports it; without JavaScript, a button does. */
  read: async (event) => {
    const data = await event.request.formData();
    const number = idFrom(text(data, 'number'));
    if (!number) return fail(400, { scope: 'read', message: 'The form did not say which post.' } satisfies ActionOutcome);
    const result = await api(event).post<{ lastReadNumber: number }>(`/discussions/threads/${threadId(event.params) ?? 0}/read`, {
      number
    });
    if (!result.ok) return apiFailure(result, 'read', data);
    return { scope: 'read', success: 'Marked as read.' } satisfies ActionOutcome;
  },
  level: async (event) => levelAction(event, `/discussions/threads/${threadId(event.params) ?? 0}/notification-level`),
  ...postActions,
  ...moderatorActions
};
