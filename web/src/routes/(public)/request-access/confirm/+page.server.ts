import { redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

/** Opening the link changes nothing (mail scanners follow links); only the button confirms. */
export const load: PageServerLoad = async ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const result = await api(event).post<{ statusToken: string }>('/membership-requests/confirm', { token: text(data, 'token') });
    if (!result.ok) return failWith(result.status, result.error);
    redirect(303, `/request-status?token=${encodeURIComponent(result.data.statusToken)}`);
  }
};
