import { fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface RequestStatus {
  status: 'submitted' | 'in_review' | 'info_requested' | 'approved' | 'declined';
  fullName: string;
  email: string;
  taskForceName: string | null;
  submittedAt: number | null;
  decidedAt: number | null;
  declineReason: string | null;
  messages: { author: 'reviewer' | 'applicant'; body: string; createdAt: number }[];
}

export const load: PageServerLoad = async (event) => {
  const token = event.url.searchParams.get('token') ?? '';
  if (!token) {
    return {
      token,
      request: null,
      problem:
        'This link is incomplete. Open the status link from your e-mail again, or copy the whole address into your browser.'
    };
  }
  const result = await api(event).get<RequestStatus>('/membership-requests/status', { token });
  if (!result.ok) return { token, request: null, problem: result.error.message };
  return { token, request: result.data, problem: null };
};

export const actions: Actions = {
  /** The applicant answers the reviewers' question. */
  respond: async (event) => {
    const data = await event.request.formData();
    const message = text(data, 'message').trim();
    if (message.length < 2 || message.length > 4000) {
      const problem = message.length < 2 ? 'Write your answer before sending it.' : 'Use at most 4000 characters.';
      return fail(400, { message: problem, fields: { message: problem }, values: formValues(data) });
    }
    const result = await api(event).post<{ message: string }>('/membership-requests/respond', {
      token: text(data, 'token'),
      message
    });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { answered: true as const, message: result.data.message };
  }
};
