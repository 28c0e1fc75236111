import { error, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import type { Resource } from '$lib/components/resources/resources';
import { confirmedPrivacy, jsonBody, pairsOf, refused, valuesFrom } from '../../form.server';
import { formChoices } from '../../shared.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That resource was not found, or you do not have access to it.';

export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const [result, choices] = await Promise.all([api(event).get<Resource>(`/resources/${id}`), formChoices(event)]);
  if (!result.ok) error(result.status === 400 || result.status === 403 ? 404 : result.status, result.error.message);
  if (!result.data.can.edit) error(403, 'Only the member who shared this resource, and moderators, can edit it.');
  return { resource: result.data, ...choices };
};

export const actions: Actions = {
  save: async (event) => {
    const id = idFrom(event.params.id);
    if (!id) error(404, notFound);
    const pairs = pairsOf(await event.request.formData());
    // The kind cannot change; the page sends it so the right fields are read.
    const values = valuesFrom(pairs);
    const result = await api(event).patch(`/resources/${id}`, jsonBody(values, confirmedPrivacy(pairs), values.kind === 'link'));
    if (!result.ok) return refused('resource', result, values);
    redirect(303, `/resources/${id}?saved=1`);
  }
};
