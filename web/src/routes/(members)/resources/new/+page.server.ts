import { redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { boundaryOf, joinMultipart, MultipartError, splitAtFile } from '../multipart.server';
import {
  confirmedPrivacy,
  jsonBody,
  multipartFields,
  pairsOf,
  refuse,
  refused,
  valuesFrom,
  type ResourceOutcome
} from '../form.server';
import { drain, formChoices } from '../shared.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => formChoices(event);

const shared = (id: number) => `/resources/${id}?shared=1`;

export const actions: Actions = {
  /**
   * The form as sent (multipart). Without JavaScript the file comes here and is streamed on to the
   * API; with it, the page uploads the file itself (see check) and only link resources come here.
   */
  share: async (event) => {
    const contentType = event.request.headers.get('content-type');
    const boundary = boundaryOf(contentType);
    let split: Awaited<ReturnType<typeof splitAtFile>>;
    if (boundary && event.request.body) {
      try {
        split = await splitAtFile(event.request.body, boundary);
      } catch (err) {
        if (err instanceof MultipartError) return refuse('resource', err.status, err.message);
        throw err;
      }
    } else {
      split = { fields: pairsOf(await event.request.formData()), file: null, rest: null };
    }
    const values = valuesFrom(split.fields);
    const confirm = confirmedPrivacy(split.fields);
    const client = api(event);

    if (values.kind === 'link') {
      await drain(split.rest);
      const result = await client.post<{ id: number }>('/resources', jsonBody(values, confirm, true));
      if (!result.ok) return refused('resource', result, values);
      redirect(303, shared(result.data.id));
    }

    if (!split.file || split.file.name !== 'file' || split.file.fileName === '' || !split.rest || !boundary) {
      await drain(split.rest);
      const message = 'Choose the file to share.';
      return refuse('resource', 400, message, { fields: { file: message }, values });
    }
    // Field errors and the privacy question first, before the file is stored.
    const check = await client.post('/resources/check', { ...jsonBody(values, confirm, false), kind: 'file' });
    if (!check.ok) {
      await drain(split.rest);
      return refused('resource', check, values, true);
    }
    const body = joinMultipart(boundary, multipartFields(values, confirm), split.rest);
    const result = await client.upload<{ id: number }>('/resources/files', body, `multipart/form-data; boundary=${boundary}`);
    if (!result.ok) return refused('resource', result, values, true);
    redirect(303, shared(result.data.id));
  },

  /**
   * With JavaScript, before the upload: the fields are checked (and the privacy question asked)
   * without the file, and the answer says exactly which text fields to send with it.
   */
  check: async (event) => {
    const pairs = pairsOf(await event.request.formData());
    const values = valuesFrom(pairs);
    const confirm = confirmedPrivacy(pairs);
    const result = await api(event).post('/resources/check', { ...jsonBody(values, confirm, false), kind: 'file' });
    if (!result.ok) return refused('resource', result, values);
    return { scope: 'resource', values, upload: multipartFields(values, confirm) } satisfies ResourceOutcome & {
      upload: [string, string][];
    };
  }
};
