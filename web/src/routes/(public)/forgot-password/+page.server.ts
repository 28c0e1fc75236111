import { fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const email = text(data, 'email').trim();
    if (!email) {
      return fail(400, { message: 'Enter your work e-mail.', fields: { email: 'Enter your work e-mail.' }, values: {} });
    }
    const result = await api(event).post<{ message: string }>('/auth/password-reset/request', { email });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { sent: true as const, message: result.data.message };
  }
};
