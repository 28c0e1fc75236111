import { fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface Activation {
  name: string;
  email: string;
  mfaRequired: boolean;
}

export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) {
    return {
      token,
      account: null,
      problem: 'This link is incomplete. Open the activation link from your e-mail again, or copy the whole address.'
    };
  }
  const result = await api(event).get<Activation>('/activation', { token });
  if (!result.ok) return { token, account: null, problem: result.error.message };
  return { token, account: result.data, problem: null };
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
    const result = await api(event).post<{ next: 'onboarding' }>('/activation', { token: text(data, 'token'), password });
    if (!result.ok) return failWith(result.status, result.error);
    redirect(303, '/onboarding');
  }
};
