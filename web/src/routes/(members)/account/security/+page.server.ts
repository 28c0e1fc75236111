import { error, fail, redirect } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import { text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface Session {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string;
  userAgent: string;
  current: boolean;
}

type Section = 'password' | 'mfa' | 'recovery' | 'disable' | 'sessions';

/** Each answer names its section, so the message appears beside the form that was used. */
function failIn(section: Section, status: number, apiError: ApiError, values: Record<string, string> = {}) {
  return fail(status, { section, message: apiError.message, fields: apiError.fields ?? {}, values });
}

const QR_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/=]+$/;

export const load: PageServerLoad = async (event) => {
  const client = api(event);
  // /me again rather than the layout's copy: after a form post without JavaScript, that copy predates the change.
  const [me, sessions] = await Promise.all([
    client.get<{ member: App.Member }>('/me'),
    client.get<{ sessions: Session[] }>('/account/sessions')
  ]);
  if (!me.ok) error(me.status >= 400 ? me.status : 500, me.error.message);
  if (!sessions.ok) error(sessions.status >= 400 ? sessions.status : 500, sessions.error.message);
  return {
    mfaEnabled: me.data.member.mfaEnabled,
    recoveryCodesLeft: me.data.member.recoveryCodesLeft,
    mfaRequiredByRole: me.data.member.role !== 'member',
    sessions: sessions.data.sessions
  };
};

export const actions: Actions = {
  password: async (event) => {
    const data = await event.request.formData();
    const currentPassword = text(data, 'currentPassword');
    const newPassword = text(data, 'newPassword');
    if (newPassword !== text(data, 'confirmPassword')) {
      const message = 'The two new passwords do not match.';
      return fail(400, { section: 'password' as Section, message, fields: { confirmPassword: message }, values: {} });
    }
    const result = await api(event).post<{ message: string }>('/account/password', { currentPassword, newPassword });
    if (!result.ok) return failIn('password', result.status, result.error);
    return { section: 'password' as Section, success: result.data.message };
  },
  mfaStart: async (event) => {
    const data = await event.request.formData();
    // Replacing a working app needs the current password; turning it on for the first time does not.
    const password = text(data, 'password');
    const result = await api(event).post<{ manualKey: string; qrDataUrl: string }>(
      '/account/mfa/start',
      password ? { password } : {}
    );
    if (!result.ok) return failIn('mfa', result.status, result.error);
    return { section: 'mfa' as Section, enrolment: { manualKey: result.data.manualKey, qrDataUrl: result.data.qrDataUrl } };
  },
  mfaConfirm: async (event) => {
    const data = await event.request.formData();
    const manualKey = text(data, 'manualKey').slice(0, 100);
    const qrDataUrl = text(data, 'qrDataUrl');
    // A wrong code shows the same key again, so the member can retry without scanning anew.
    const enrolment = QR_DATA_URL.test(qrDataUrl) ? { manualKey, qrDataUrl } : null;
    const result = await api(event).post<{ recoveryCodes: string[] }>('/account/mfa/confirm', { code: text(data, 'code') });
    if (!result.ok) {
      return fail(result.status, {
        section: 'mfa' as Section,
        message: result.error.message,
        fields: result.error.fields ?? {},
        values: {},
        enrolment
      });
    }
    return {
      section: 'mfa' as Section,
      success: 'Two-step verification is on. From now on you sign in with your password and a code from your app.',
      recoveryCodes: result.data.recoveryCodes
    };
  },
  recoveryCodes: async (event) => {
    const data = await event.request.formData();
    const result = await api(event).post<{ recoveryCodes: string[] }>('/account/mfa/recovery-codes', {
      password: text(data, 'password')
    });
    if (!result.ok) return failIn('recovery', result.status, result.error);
    return {
      section: 'mfa' as Section,
      success: 'New recovery codes were made. Your old codes no longer work.',
      recoveryCodes: result.data.recoveryCodes
    };
  },
  mfaDisable: async (event) => {
    const data = await event.request.formData();
    const result = await api(event).post('/account/mfa/disable', { password: text(data, 'password') });
    if (!result.ok) return failIn('disable', result.status, result.error);
    return { section: 'mfa' as Section, success: 'Two-step verification is off. Your recovery codes no longer work.' };
  },
  revoke: async (event) => {
    const data = await event.request.formData();
    const id = text(data, 'id');
    const client = api(event);
    const list = await client.get<{ sessions: Session[] }>('/account/sessions');
    if (!list.ok) return failIn('sessions', list.status, list.error);
    const session = list.data.sessions.find((s) => s.id === id);
    if (!session) {
      return failIn('sessions', 404, { code: 'not_found', message: 'That session was not found; it may have ended already.' });
    }
    if (session.current) {
      // Ending this browser's own session is signing out: the API then clears the cookie too.
      await client.post('/auth/sign-out');
      redirect(303, '/sign-in?reason=signed-out');
    }
    const result = await client.post(`/account/sessions/${id}/revoke`);
    if (!result.ok) return failIn('sessions', result.status, result.error);
    return { section: 'sessions' as Section, success: 'That session was signed out.' };
  },
  revokeAll: async (event) => {
    const result = await api(event).post('/account/sessions/revoke-all');
    if (!result.ok) return failIn('sessions', result.status, result.error);
    redirect(303, '/sign-in?reason=signed-out');
  }
};
