import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

/** Members only: signed out → sign-in; activation unfinished → onboarding. */
export const load: LayoutServerLoad = async ({ locals, url }) => {
  const member = locals.member;
  if (!member) {
    const next = url.pathname === '/' ? '' : `?next=${encodeURIComponent(url.pathname + url.search)}`;
    redirect(303, `/sign-in${next}`);
  }
  if (member.onboarding !== null || member.status !== 'active') redirect(303, '/onboarding');
  return { member };
};
