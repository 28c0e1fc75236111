import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import { idFrom, POSTS_PER_PAGE, type ActionOutcome, type ThreadPage } from '$lib/discussions';
import type { Spotlight } from '$lib/components/spotlights/spotlights';
import { apiFailure, draftAction, postActions, previewAction, privacyConfirmation } from '../../discussions/actions.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That spotlight was not found, or you do not have access to it.';

interface Draft {
  body: string;
}

/** The spotlight and, once published, its comments (a discussion thread: the first page, or ?comments=<from>). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const client = api(event);
  const result = await client.get<Spotlight>(`/spotlights/${id}`);
  if (!result.ok) error(result.status === 400 || result.status === 403 ? 404 : result.status, result.error.message);
  const spotlight = result.data;
  let comments: ThreadPage | null = null;
  let draft: Draft | null = null;
  if (spotlight.threadId) {
    const from = idFrom(event.url.searchParams.get('comments')) ?? 1;
    const thread = await client.get<ThreadPage>(`/discussions/threads/${spotlight.threadId}`, { from });
    comments = thread.ok ? thread.data : null;
    if (comments?.thread.can.reply) {
      const saved = await client.get<{ draft: Draft | null }>(`/discussions/threads/${spotlight.threadId}/draft`);
      draft = saved.ok && saved.data.draft && saved.data.draft.body.trim() ? saved.data.draft : null;
    }
  }
  return { spotlight, comments, draft, saved: event.url.searchParams.get('saved') === '1' };
};

/** The spotlight a form belongs to (its thread and revision come from the API, never from the form alone). */
async function spotlightOf(event: RequestEvent): Promise<Spotlight | null> {
  const id = idFrom(event.params.id ?? '');
  if (!id) return null;
  const result = await api(event).get<Spotlight>(`/spotlights/${id}`);
  return result.ok ? result.data : null;
}

const DECISIONS = {
  approve: 'You approved the spotlight.',
  changes: 'You asked for changes.',
  decline: 'You declined the spotlight.'
};

export const actions: Actions = {
  /** Approve, ask for changes or decline: about the revision the page showed (a changed text is refused with 409). */
  consent: async (event) => {
    const data = await event.request.formData();
    const decision = text(data, 'decision');
    const revision = idFrom(text(data, 'revision'));
    const comment = text(data, 'comment').trim();
    const values = formValues(data);
    if (!(decision in DECISIONS) || !revision)
      return fail(400, { consent: { decision, message: 'Reload the page and choose again.', values } });
    if (decision !== 'approve' && !comment) {
      const message = decision === 'changes' ? 'Say what should change.' : 'Say why you decline, so the editor knows.';
      return fail(400, { consent: { decision, message, field: message, values } });
    }
    if (comment.length > 2000) {
      const message = 'Keep the comment under 2,000 characters.';
      return fail(400, { consent: { decision, message, field: message, values } });
    }
    const id = idFrom(event.params.id) ?? 0;
    const result = await api(event).post<Spotlight>(`/spotlights/${id}/consent`, {
      revision,
      decision,
      ...(comment ? { comment } : {})
    });
    if (!result.ok) {
      const field = result.error.fields?.comment ?? null;
      return fail(result.status, { consent: { decision, message: result.error.message, field, values } });
    }
    return { consent: { decision, success: DECISIONS[decision as keyof typeof DECISIONS] } };
  },

  /** Comments are posts in the spotlight's discussion thread (opened when it is published). */
  reply: async (event) => {
    const data = await event.request.formData();
    const spotlight = await spotlightOf(event);
    if (!spotlight?.threadId) return fail(404, { scope: 'composer', message: notFound } satisfies ActionOutcome);
    const privacy = privacyConfirmation(data);
    if (!privacy.ok) return privacy.failure;
    const result = await api(event).post<{ postId: number; number: number }>(`/discussions/threads/${spotlight.threadId}/posts`, {
      body: text(data, 'body'),
      quotePostId: idFrom(text(data, 'quotePostId')),
      ...privacy.confirm
    });
    if (!result.ok) return apiFailure(result, 'composer', data);
    redirect(303, `/spotlights/${spotlight.id}${commentsPage(result.data.number)}#post-${result.data.number}`);
  },
  preview: async (event) => previewAction(event, await event.request.formData(), false),
  saveDraft: async (event) => {
    const data = await event.request.formData();
    const spotlight = await spotlightOf(event);
    return draftAction(event, data, `/discussions/threads/${spotlight?.threadId ?? 0}/draft`, false);
  },
  discardDraft: async (event) => {
    const data = new FormData();
    data.set('body', '');
    const spotlight = await spotlightOf(event);
    return draftAction(event, data, `/discussions/threads/${spotlight?.threadId ?? 0}/draft`, false);
  },
  ...postActions
};

/** The comments page that holds comment `number` (the API pages a thread). */
function commentsPage(number: number): string {
  const from = Math.floor((number - 1) / POSTS_PER_PAGE) * POSTS_PER_PAGE + 1;
  return from === 1 ? '' : `?comments=${from}`;
}
