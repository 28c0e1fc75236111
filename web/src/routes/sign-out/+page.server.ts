import { redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => redirect(303, '/');

export const actions: Actions = {
  default: async (event) => {
    await api(event).post('/auth/sign-out');
    redirect(303, '/sign-in?reason=signed-out');
  }
};
