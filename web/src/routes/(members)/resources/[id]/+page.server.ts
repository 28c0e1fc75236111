import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { idFrom } from '$lib/discussions';
import type { Resource } from '$lib/components/resources/resources';
import { postActions } from '../../discussions/actions.server';
import { commentActions, loadComments } from '../../discussions/comments.server';
import { boundaryOf, joinMultipart, MultipartError, splitAtFile } from '../multipart.server';
import { refuse, refused, type ResourceOutcome } from '../form.server';
import { drain } from '../shared.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That resource was not found, or you do not have access to it.';

/** The resource, its versions, and its comments (a discussion thread: the first page, or ?comments=<from>). */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const client = api(event);
  const result = await client.get<Resource>(`/resources/${id}`);
  if (!result.ok) error(result.status === 400 || result.status === 403 ? 404 : result.status, result.error.message);
  const resource = result.data;
  return {
    resource,
    ...(await loadComments(event, resource.threadId)),
    shared: event.url.searchParams.get('shared') === '1',
    saved: event.url.searchParams.get('saved') === '1'
  };
};

/** The resource a comment form belongs to (its thread id comes from the API, never from the form). */
async function threadOf(event: RequestEvent): Promise<Resource | null> {
  const id = idFrom(event.params.id ?? '');
  if (!id) return null;
  const result = await api(event).get<Resource>(`/resources/${id}`);
  return result.ok ? result.data : null;
}

const resourceId = (params: { id?: string }) => idFrom(params.id ?? '') ?? 0;

export const actions: Actions = {
  recommend: async (event) => {
    const data = await event.request.formData();
    const recommended = text(data, 'recommended') === 'true';
    const result = await api(event).post<{ recommended: boolean; recommendCount: number }>(
      `/resources/${resourceId(event.params)}/recommend`,
      { recommended }
    );
    if (!result.ok) return refused('recommend', result);
    return {
      scope: 'recommend',
      success: result.data.recommended ? 'You recommend this resource.' : 'Recommendation removed.'
    } satisfies ResourceOutcome;
  },

  reportBrokenLink: async (event) => {
    const data = await event.request.formData();
    const note = text(data, 'note').trim();
    if (note.length > 500)
      return refuse('report', 400, 'Keep the note under 500 characters.', {
        fields: { note: 'Keep the note under 500 characters.' }
      });
    const result = await api(event).post(`/resources/${resourceId(event.params)}/report-broken-link`, note ? { note } : {});
    if (!result.ok) return refused('report', result);
    return { scope: 'report', success: 'Thank you: the moderators were told the link is broken.' } satisfies ResourceOutcome;
  },

  delete: async (event) => {
    const result = await api(event).post(`/resources/${resourceId(event.params)}/delete`, {});
    if (!result.ok) return refused('delete', result);
    redirect(303, '/resources?deleted=1');
  },

  restore: async (event) => {
    const result = await api(event).post(`/resources/${resourceId(event.params)}/restore`, {});
    if (!result.ok) return refused('delete', result);
    return { scope: 'delete', success: 'The resource was restored.' } satisfies ResourceOutcome;
  },

  /** A new version without JavaScript: the file part is streamed on to the API as it arrives. */
  addVersion: async (event) => {
    const id = resourceId(event.params);
    const boundary = boundaryOf(event.request.headers.get('content-type'));
    if (!boundary || !event.request.body) return refuse('version', 415, 'Send the form as it is on the page.');
    let split: Awaited<ReturnType<typeof splitAtFile>>;
    try {
      split = await splitAtFile(event.request.body, boundary);
    } catch (err) {
      if (err instanceof MultipartError) return refuse('version', err.status, err.message);
      throw err;
    }
    if (!split.file || split.file.name !== 'file' || split.file.fileName === '' || !split.rest) {
      await drain(split.rest);
      const message = 'Choose the file of the new version.';
      return refuse('version', 400, message, { fields: { file: message } });
    }
    const result = await api(event).upload<{ versionId: number; number: number }>(
      `/resources/${id}/versions`,
      joinMultipart(boundary, [], split.rest),
      `multipart/form-data; boundary=${boundary}`
    );
    if (!result.ok) return refused('version', result, undefined, true);
    return { scope: 'version', success: `Version ${result.data.number} uploaded.` } satisfies ResourceOutcome;
  },

  /** Comments are posts in the resource's discussion thread. */
  ...commentActions(async (event) => {
    const resource = await threadOf(event);
    return resource ? { href: `/resources/${resource.id}`, threadId: resource.threadId } : null;
  }, notFound),
  ...postActions
};
