import { fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

type Step = 'mfa' | 'done' | 'notice';

/**
 * The MFA actions keep ?step=mfa in their URL: a member for whom MFA became required is fully active
 * the moment the code is confirmed, and without the step the reloaded page would leave before the
 * recovery codes are shown.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const member = locals.member;
  if (!member) redirect(303, '/sign-in');
  const step = url.searchParams.get('step');
  const finished = member.status === 'active' && member.onboarding === null;
  if (finished && !step) redirect(303, '/');
  if (member.onboarding === 'mfa') {
    if (step !== 'mfa') redirect(303, '/onboarding?step=mfa');
    return { step: 'mfa' as Step, mfaRequired: true };
  }
  if (member.onboarding === 'notice' && !member.mfaEnabled && step !== 'notice') {
    return { step: 'mfa' as Step, mfaRequired: false };
  }
  if (finished && step === 'mfa') return { step: 'done' as Step, mfaRequired: false };
  return { step: 'notice' as Step, mfaRequired: false };
};

/** The key comes back from hidden fields; only accept what the API itself could have produced. */
function enrolmentFrom(data: FormData): { manualKey: string; qrDataUrl: string } | null {
  const manualKey = text(data, 'manualKey');
  const qrDataUrl = text(data, 'qrDataUrl');
  if (!/^[A-Z2-7]{4}( [A-Z2-7]{1,4}){0,31}$/.test(manualKey)) return null;
  if (qrDataUrl.length > 50_000 || !/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(qrDataUrl)) return null;
  return { manualKey, qrDataUrl };
}

export const actions: Actions = {
  startMfa: async (event) => {
    const result = await api(event).post<{ manualKey: string; uri: string; qrDataUrl: string }>('/account/mfa/start');
    if (!result.ok) return failWith(result.status, result.error);
    return { enrolment: { manualKey: result.data.manualKey, qrDataUrl: result.data.qrDataUrl } };
  },

  confirmMfa: async (event) => {
    const data = await event.request.formData();
    const enrolment = enrolmentFrom(data);
    const code = text(data, 'code').trim();
    if (!code) {
      const problem = 'Enter the 6-digit code from your app.';
      return fail(400, { message: problem, fields: { code: problem } as Record<string, string>, values: {}, enrolment });
    }
    const result = await api(event).post<{ recoveryCodes: string[] }>('/account/mfa/confirm', { code });
    if (!result.ok) {
      // A wrong code keeps the same key on screen; anything else (no key waiting) starts over.
      return fail(result.status, {
        message: result.error.message,
        fields: result.error.fields ?? {},
        values: {},
        enrolment: result.status === 400 ? enrolment : null
      });
    }
    return { recoveryCodes: result.data.recoveryCodes };
  },

  continue: async ({ locals }) => {
    const member = locals.member;
    redirect(303, member?.status === 'active' && member.onboarding === null ? '/' : '/onboarding?step=notice');
  },

  accept: async (event) => {
    const data = await event.request.formData();
    if (text(data, 'accept') !== 'yes') {
      const problem = 'Tick the box to accept the notice.';
      return fail(400, { message: problem, fields: { accept: problem } as Record<string, string>, values: {} });
    }
    const result = await api(event).post('/onboarding/notice', { accept: true });
    if (!result.ok) return failWith(result.status, result.error);
    redirect(303, '/');
  }
};
