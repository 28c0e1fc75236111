import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface TaskForce {
  id: number;
  name: string;
  states: string[];
  leadAgency: string;
  region?: string;
  description?: string;
  grantEndsAt: number | null;
  memberCount: number;
}

export const load: PageServerLoad = async (event) => {
  const result = await api(event).get<{ taskForces: TaskForce[] }>('/admin/task-forces');
  if (!result.ok) error(result.status >= 400 ? result.status : 500, result.error.message);
  return { taskForces: result.data.taskForces };
};

/** The form's fields as the API's body, or the first problem in plain words. */
function readTaskForce(data: FormData) {
  const name = text(data, 'name').trim();
  const states = text(data, 'states')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((s) => s.toUpperCase());
  const leadAgency = text(data, 'leadAgency').trim();
  const grantEndsOn = text(data, 'grantEndsOn');
  const region = text(data, 'region').trim();
  const description = text(data, 'description').trim();
  const fields: Record<string, string> = {};
  if (name.length < 3 || name.length > 150) fields.name = 'Enter a name of 3 to 150 characters.';
  if (states.length === 0) fields.states = 'Enter at least one two-letter state code, like TX.';
  else if (states.length > 10) fields.states = 'Enter at most 10 states.';
  else if (states.some((s) => !/^[A-Z]{2}$/.test(s))) fields.states = 'Use two-letter state codes, like TX, separated by commas.';
  if (leadAgency.length < 2 || leadAgency.length > 200) fields.leadAgency = 'Enter the lead agency (2 to 200 characters).';
  if (grantEndsOn !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(grantEndsOn)) fields.grantEndsOn = 'Enter the date as YYYY-MM-DD.';
  if (region.length > 200) fields.region = 'Describe the region in at most 200 characters.';
  if (description.length > 2000) fields.description = 'Keep the description to at most 2,000 characters.';
  const first = Object.values(fields)[0];
  if (first) return { problem: fail(400, { message: first, fields, values: formValues(data) }) };
  return { body: { name, states, leadAgency, region, description, grantEndsOn: grantEndsOn || null } };
}

export const actions: Actions = {
  create: async (event) => {
    const data = await event.request.formData();
    const read = readTaskForce(data);
    if (read.problem) return read.problem;
    const result = await api(event).post('/admin/task-forces', read.body);
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: `Added the task force ${read.body.name}.`, created: true };
  },
  update: async (event) => {
    const data = await event.request.formData();
    const id = Number(text(data, 'id'));
    if (!Number.isInteger(id) || id < 1) {
      const message = 'The form did not say which task force. Reload the page and try again.';
      return fail(400, { message, fields: {} as Record<string, string>, values: {} as Record<string, string> });
    }
    const read = readTaskForce(data);
    if (read.problem) return read.problem;
    const result = await api(event).patch(`/admin/task-forces/${id}`, read.body);
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: `Saved the changes to ${read.body.name}.`, taskForceId: id };
  }
};
