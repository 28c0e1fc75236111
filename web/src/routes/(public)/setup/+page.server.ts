import { fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) {
    return {
      token,
      valid: false,
      problem: 'This link is incomplete. Copy the whole set-up link that the server printed when it started.'
    };
  }
  const result = await api(event).get<{ valid: true }>('/setup', { token });
  if (!result.ok) return { token, valid: false, problem: result.error.message };
  return { token, valid: true, problem: null };
};

export const actions: Actions = {
  default: async (event) => {
    const data = await event.request.formData();
    const password = text(data, 'password');
    const email = text(data, 'email').trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      const problem = 'Enter your work e-mail address, like name@agency.gov.';
      return fail(400, { message: problem, fields: { email: problem } as Record<string, string>, values: formValues(data) });
    }
    if (password !== text(data, 'confirmPassword')) {
      return fail(400, {
        message: 'The two passwords do not match.',
        fields: { confirmPassword: 'This does not match the password. Type it again.' } as Record<string, string>,
        values: formValues(data)
      });
    }
    const result = await api(event).post<{ next: 'onboarding' }>('/setup', {
      token: text(data, 'token'),
      name: text(data, 'name').trim(),
      email,
      password
    });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    redirect(303, '/onboarding');
  }
};
