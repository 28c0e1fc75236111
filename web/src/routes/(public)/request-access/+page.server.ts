import { fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { DISCIPLINE_LABELS, failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface TaskForceOption {
  id: number;
  name: string;
  states: string[];
}

export const load: PageServerLoad = async (event) => {
  if (event.locals.member) redirect(303, '/');
  const options = await api(event).get<{ taskForces: TaskForceOption[] }>('/task-forces/options');
  return { taskForces: options.ok ? options.data.taskForces : [] };
};

/** Same limits as the API schema, said in plain words before the request leaves the page. */
const LIMITS: Record<string, { label: string; min: number; max: number }> = {
  fullName: { label: 'your full name', min: 2, max: 120 },
  agency: { label: 'your agency or organization', min: 2, max: 200 },
  jobTitle: { label: 'your job title', min: 2, max: 120 },
  supervisorName: { label: "your supervisor's name", min: 2, max: 120 },
  supervisorContact: { label: "your supervisor's e-mail or phone", min: 3, max: 200 },
  reason: { label: 'why you want to join', min: 10, max: 2000 }
};

function problems(data: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, limit] of Object.entries(LIMITS)) {
    const value = text(data, name).trim();
    if (value.length === 0) fields[name] = `Enter ${limit.label}.`;
    else if (value.length < limit.min) fields[name] = `Enter at least ${limit.min} characters for ${limit.label}.`;
    else if (value.length > limit.max) fields[name] = `Use at most ${limit.max} characters for ${limit.label}.`;
  }
  const email = text(data, 'email').trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    fields.email = 'Enter your work e-mail address, like name@agency.gov.';
  }
  if (!(text(data, 'discipline') in DISCIPLINE_LABELS)) fields.discipline = 'Choose your discipline.';
  const taskForce = text(data, 'taskForceId');
  if (taskForce !== '' && !/^[1-9]\d{0,9}$/.test(taskForce)) {
    fields.taskForceId = 'Choose a task force from the list.';
  }
  return fields;
}

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const fields = problems(data);
    if (Object.keys(fields).length > 0) {
      return fail(400, { message: 'Please correct the marked fields.', fields, values: formValues(data) });
    }
    const taskForce = text(data, 'taskForceId');
    const result = await api(event).post<{ message: string }>('/membership-requests', {
      fullName: text(data, 'fullName').trim(),
      email: text(data, 'email').trim(),
      agency: text(data, 'agency').trim(),
      jobTitle: text(data, 'jobTitle').trim(),
      discipline: text(data, 'discipline'),
      taskForceId: taskForce === '' ? null : Number(taskForce),
      supervisorName: text(data, 'supervisorName').trim(),
      supervisorContact: text(data, 'supervisorContact').trim(),
      reason: text(data, 'reason').trim()
    });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { sent: true as const, message: result.data.message };
  }
};
