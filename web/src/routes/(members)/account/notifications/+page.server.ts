import { fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

export type EmailChoice = 'immediate' | 'daily' | 'weekly' | 'off';

interface Preference {
  kind: string;
  label: string;
  description: string;
  email: EmailChoice;
  defaultEmail: EmailChoice;
}

const CHOICES: EmailChoice[] = ['immediate', 'daily', 'weekly', 'off'];

export const load: PageServerLoad = async (event) => {
  const result = await api(event).get<{ preferences: Preference[] }>('/notifications/preferences');
  return result.ok
    ? { preferences: result.data.preferences, loadError: null }
    : { preferences: [], loadError: result.error.message };
};

export const actions: Actions = {
  save: async (event) => {
    const data = await event.request.formData();
    const preferences: Record<string, EmailChoice> = {};
    const fields: Record<string, string> = {};
    for (const key of data.keys()) {
      if (!key.startsWith('email-')) continue;
      const kind = key.slice('email-'.length);
      const value = text(data, key) as EmailChoice;
      if (CHOICES.includes(value)) preferences[kind] = value;
      else fields[kind] = 'Choose one of the options.';
    }
    if (Object.keys(fields).length > 0) return fail(400, { message: 'Some choices were not valid.', fields });
    if (Object.keys(preferences).length === 0) return fail(400, { message: 'The form had no settings in it.', fields });
    const result = await api(event).put<{ preferences: Preference[] }>('/notifications/preferences', { preferences });
    if (!result.ok) return fail(result.status, { message: result.error.message, fields: result.error.fields ?? {} });
    return { success: 'Your notification settings were saved.' };
  }
};
