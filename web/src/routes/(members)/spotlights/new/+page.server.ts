import { EMPTY_SPOTLIGHT_VALUES } from '$lib/components/spotlights/form';
import { findMemberAction, findResourceAction, imageAction, previewAction, saveAction } from '../form.server';
import { requireEditor, taskForceOptions } from '../shared.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  requireEditor(event);
  const week = event.url.searchParams.get('week') ?? '';
  return {
    initial: { ...EMPTY_SPOTLIGHT_VALUES, week: /^\d{4}-\d{2}-\d{2}$/.test(week) ? week : '' },
    taskForces: await taskForceOptions(event)
  };
};

export const actions: Actions = {
  save: (event) => saveAction(event, null),
  preview: (event) => previewAction(event),
  findMember: (event) => findMemberAction(event),
  findResource: (event) => findResourceAction(event),
  image: (event) => imageAction(event)
};
