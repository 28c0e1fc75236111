import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { idFrom } from '$lib/discussions';
import type { CalendarDraft, CalendarWeek } from '$lib/components/spotlights/spotlights';
import { requireEditor } from '../shared.server';
import type { Actions, PageServerLoad } from './$types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The next 12 weekly slots (or from ?from=), each with its spotlight or empty, and the drafts to put in them. */
export const load: PageServerLoad = async (event) => {
  requireEditor(event);
  const from = event.url.searchParams.get('from') ?? '';
  const result = await api(event).get<{ timeZone: string; weeks: CalendarWeek[]; drafts: CalendarDraft[] }>(
    '/spotlights/calendar',
    {
      from: DAY.test(from) ? from : undefined
    }
  );
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.error.message);
  return { from: DAY.test(from) ? from : '', ...result.data, withdrawn: event.url.searchParams.get('withdrawn') === '1' };
};

export const actions: Actions = {
  /** Puts a draft into an empty week. */
  schedule: async (event) => {
    const data = await event.request.formData();
    const week = text(data, 'week');
    const id = idFrom(text(data, 'spotlightId'));
    if (!id || !DAY.test(week)) {
      return fail(400, { week, message: 'Choose a draft for this week.' });
    }
    const result = await api(event).post(`/spotlights/${id}/schedule`, { week });
    if (!result.ok) return fail(result.status, { week, message: result.error.message });
    return { week, success: 'Scheduled.' };
  },
  /** Takes a spotlight out of its week (it becomes a draft again). */
  unschedule: async (event) => {
    const data = await event.request.formData();
    const week = text(data, 'week');
    const id = idFrom(text(data, 'spotlightId'));
    if (!id) return fail(400, { week, message: 'Reload the page and try again.' });
    const result = await api(event).post(`/spotlights/${id}/unschedule`, {});
    if (!result.ok) return fail(result.status, { week, message: result.error.message });
    return { week, success: 'Taken out of this week: it is a draft again.' };
  }
};
