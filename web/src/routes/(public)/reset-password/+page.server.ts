import { fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) {
    return {
      token,
      valid: false,
      mfaRequired: false,
      problem: 'This link is incomplete. Open the reset link from your e-mail again, or copy the whole address.'
    };
  }
  const result = await api(event).get<{ mfaRequired: boolean }>('/auth/password-reset', { token });
  if (!result.ok) return { token, valid: false, mfaRequired: false, problem: result.error.message };
  return { token, valid: true, mfaRequired: result.data.mfaRequired, problem: null };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const password = text(data, 'password');
    if (password !== text(data, 'confirmPassword')) {
      return fail(400, {
        message: 'The two passwords do not match.',
        fields: { confirmPassword: 'This does not match the new password. Type it again.' },
        values: {}
      });
    }
    const code = text(data, 'code').trim();
    const result = await api(event).post('/auth/password-reset', {
      token: text(data, 'token'),
      password,
      ...(code ? { code } : {})
    });
    if (!result.ok) return failWith(result.status, result.error);
    redirect(303, '/sign-in?reason=password-changed');
  }
};
