import { error, fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import {
  findMemberAction,
  findResourceAction,
  imageAction,
  loadForEdit,
  previewAction,
  saveAction,
  valuesFromSpotlight
} from '../../form.server';
import { requireEditor, taskForceOptions } from '../../shared.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const notFound = 'That spotlight was not found, or you do not have access to it.';

async function current(event: RequestEvent) {
  const id = idFrom(event.params.id);
  const spotlight = id ? await loadForEdit(event, id) : null;
  if (!spotlight) error(404, notFound);
  return spotlight;
}

export const load: PageServerLoad = async (event) => {
  requireEditor(event);
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const [spotlight, taskForces] = await Promise.all([loadForEdit(event, id), taskForceOptions(event)]);
  if (!spotlight) error(404, notFound);
  return { spotlight, initial: valuesFromSpotlight(spotlight), taskForces };
};

export const actions: Actions = {
  save: async (event) => saveAction(event, await current(event)),
  preview: (event) => previewAction(event),
  findMember: (event) => findMemberAction(event),
  findResource: (event) => findResourceAction(event),
  image: (event) => imageAction(event),
  /** Withdraw: frees the week; a published spotlight leaves the home page and the archive. */
  withdraw: async (event) => {
    const id = idFrom(event.params.id) ?? 0;
    const result = await api(event).post(`/spotlights/${id}/delete`, {});
    if (!result.ok) return fail(result.status, { withdrawMessage: result.error.message });
    redirect(303, '/spotlights/calendar?withdrawn=1');
  }
};
