import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface SiteSettings {
  requireMfaForAll: boolean;
  knownAgencyDomains: string[];
}

export const load: PageServerLoad = async (event) => {
  const result = await api(event).get<{ settings: SiteSettings }>('/admin/settings');
  if (!result.ok) error(result.status >= 400 ? result.status : 500, result.error.message);
  return { settings: result.data.settings };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const knownAgencyDomains = text(data, 'knownAgencyDomains')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (knownAgencyDomains.length > 500 || knownAgencyDomains.some((d) => d.length > 253)) {
      const message = 'Enter at most 500 domains, one per line.';
      return fail(400, { message, fields: { knownAgencyDomains: message }, values: formValues(data) });
    }
    const result = await api(event).patch('/admin/settings', {
      requireMfaForAll: data.get('requireMfaForAll') === 'on',
      knownAgencyDomains
    });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: 'Settings saved.' };
  }
};
