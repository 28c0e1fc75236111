import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import { idFrom } from '$lib/discussions';
import type { Spotlight } from '$lib/components/spotlights/spotlights';
import { postActions } from '../../discussions/actions.server';
import { commentActions, loadComments } from '../../discussions/comments.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That spotlight was not found, or you do not have access to it.';

/** The spotlight and, once published, its comments (a discussion thread: the first page, or ?comments=<from>). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const client = api(event);
  const result = await client.get<Spotlight>(`/spotlights/${id}`);
  if (!result.ok) error(result.status === 400 || result.status === 403 ? 404 : result.status, result.error.message);
  const spotlight = result.data;
  return { spotlight, ...(await loadComments(event, spotlight.threadId)), saved: event.url.searchParams.get('saved') === '1' };
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
  ...commentActions(async (event) => {
    const spotlight = await spotlightOf(event);
    return spotlight ? { href: `/spotlights/${spotlight.id}`, threadId: spotlight.threadId } : null;
  }, notFound),
  ...postActions
};
