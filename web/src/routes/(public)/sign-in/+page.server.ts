import { redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, safeNext, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  if (locals.member) redirect(303, safeNext(url.searchParams.get('next')));
  return { reason: url.searchParams.get('reason') };
};

export const actions: Actions = {
  /** Step 1: e-mail and password. */
  password: async (event) => {
    const data = await event.request.formData();
    const result = await api(event).post<{ next: 'mfa' | 'home' }>('/auth/sign-in', {
      email: text(data, 'email'),
      password: text(data, 'password')
    });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    if (result.data.next === 'mfa') return { step: 'mfa' as const };
    redirect(303, safeNext(event.url.searchParams.get('next')));
  },
  /** Step 2: the code from the authenticator app, or a recovery code. */
  mfa: async (event) => {
    const data = await event.request.formData();
    const result = await api(event).post('/auth/mfa', { code: text(data, 'code') });
    if (!result.ok) {
      // An expired step starts over at the password; a wrong code stays on the code step.
      return failWith(result.status, result.error, { step: result.error.message.includes('expired') ? 'password' : 'mfa' });
    }
    redirect(303, safeNext(event.url.searchParams.get('next')));
  }
};
