import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import { idFrom, type PrivacyFinding } from '$lib/discussions';
import { isStatus, type Suggestion } from '$lib/components/suggestions/suggestions';
import { postActions } from '../../discussions/actions.server';
import { commentActions, loadComments } from '../../discussions/comments.server';
import { voteAction } from '../vote.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That suggestion was not found.';

export interface StatusOutcome {
  scope: 'status' | 'delete' | 'edit';
  success?: string;
  message?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
  findings?: PrivacyFinding[];
}

/** The suggestion, its history, and its comments (a discussion thread: the first page, or ?comments=<from>). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const client = api(event);
  const result = await client.get<Suggestion>(`/suggestions/${id}`);
  if (!result.ok) error(result.status === 400 || result.status === 403 ? 404 : result.status, result.error.message);
  const suggestion = result.data;
  return {
    suggestion,
    ...(await loadComments(event, suggestion.threadId)),
    created: event.url.searchParams.get('created') === '1'
  };
};

const suggestionId = (params: { id?: string }) => idFrom(params.id ?? '') ?? 0;

/** The suggestion a comment form belongs to (its thread id comes from the API, never from the form). */
async function threadOf(event: RequestEvent): Promise<Suggestion | null> {
  const result = await api(event).get<Suggestion>(`/suggestions/${suggestionId(event.params)}`);
  return result.ok ? result.data : null;
}

export const actions: Actions = {
  vote: async (event) => voteAction(event, suggestionId(event.params)),

  /** Admins: a new status with a public note (and the original, for "already exists"). */
  status: async (event) => {
    const data = await event.request.formData();
    const values = formValues(data);
    const status = text(data, 'status');
    if (!isStatus(status)) {
      return fail(400, {
        scope: 'status',
        message: 'Choose a status.',
        fields: { status: 'Choose a status.' },
        values
      } satisfies StatusOutcome);
    }
    const rawOriginal = text(data, 'duplicateOfId').trim().replace(/^#/, '');
    const duplicateOfId = rawOriginal ? idFrom(rawOriginal) : null;
    if (rawOriginal && !duplicateOfId) {
      const message = 'Enter the number of the original suggestion, for example 12.';
      return fail(400, { scope: 'status', message, fields: { duplicateOfId: message }, values } satisfies StatusOutcome);
    }
    const confirmed = text(data, 'confirmPrivacy') === 'yes';
    const result = await api(event).post<{ status: string }>(`/suggestions/${suggestionId(event.params)}/status`, {
      status,
      note: text(data, 'note'),
      ...(status === 'already_exists' && duplicateOfId ? { duplicateOfId } : {}),
      ...(confirmed ? { confirmPrivacy: true } : {})
    });
    if (!result.ok) {
      const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
      const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
      return fail(result.status, {
        scope: 'status',
        message: result.error.message,
        fields: privacy ? {} : (result.error.fields ?? {}),
        values,
        findings: privacy ? findings : undefined
      } satisfies StatusOutcome);
    }
    return { scope: 'status', success: 'Status updated. The author and the voters were notified.' } satisfies StatusOutcome;
  },

  /** The author, while the suggestion is still New. */
  edit: async (event) => {
    const data = await event.request.formData();
    const values = formValues(data);
    const confirmed = text(data, 'confirmPrivacy') === 'yes';
    const result = await api(event).patch(`/suggestions/${suggestionId(event.params)}`, {
      title: text(data, 'title'),
      description: text(data, 'description'),
      ...(confirmed ? { confirmPrivacy: true } : {})
    });
    if (!result.ok) {
      const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
      const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
      return fail(result.status, {
        scope: 'edit',
        message: result.error.message,
        fields: privacy ? {} : (result.error.fields ?? {}),
        values,
        findings: privacy ? findings : undefined
      } satisfies StatusOutcome);
    }
    return { scope: 'edit', success: 'Changes saved.' } satisfies StatusOutcome;
  },

  delete: async (event) => {
    const result = await api(event).post(`/suggestions/${suggestionId(event.params)}/delete`, {});
    if (!result.ok) return fail(result.status, { scope: 'delete', message: result.error.message } satisfies StatusOutcome);
    redirect(303, '/suggestions?deleted=1');
  },

  /** Comments are posts in the suggestion's discussion thread. */
  ...commentActions(async (event) => {
    const suggestion = await threadOf(event);
    return suggestion ? { href: `/suggestions/${suggestion.id}`, threadId: suggestion.threadId } : null;
  }, notFound),
  ...postActions
};
