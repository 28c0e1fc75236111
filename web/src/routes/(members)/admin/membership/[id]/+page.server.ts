import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface MembershipRequest {
  id: number;
  fullName: string;
  email: string;
  agency: string;
  jobTitle: string;
  discipline: string;
  taskForceId: number | null;
  taskForceName: string | null;
  supervisorName: string;
  supervisorContact: string;
  reason: string;
  status: string;
  knownAgency: boolean;
  confirmedAt: number | null;
  decidedAt: number | null;
  declineReason: string | null;
  messages: { author: 'reviewer' | 'applicant'; body: string; createdAt: number }[];
}

function requestId(event: Pick<RequestEvent, 'params'>): number {
  const id = Number(event.params.id);
  if (!Number.isInteger(id) || id < 1) error(404, 'That membership request was not found.');
  return id;
}

async function fetchRequest(event: RequestEvent, id: number): Promise<MembershipRequest> {
  const result = await api(event).get<{ request: MembershipRequest }>(`/admin/membership-requests/${id}`);
  if (!result.ok) error(result.status >= 400 ? result.status : 500, result.error.message);
  return result.data.request;
}

/** The reviewer's words go to the applicant by e-mail: same limits as the API, clearer messages. */
function checkWords(value: string, field: string, what: string) {
  const length = value.trim().length;
  if (length >= 5 && value.length <= 2000) return null;
  const message = length < 5 ? `Write ${what} of at least 5 characters.` : `Keep ${what} under 2,000 characters.`;
  return fail(400, { message, fields: { [field]: message }, values: { [field]: value } });
}

const done = (kind: 'approved' | 'declined' | 'asked', name: string) =>
  `/admin/membership?${new URLSearchParams({ done: kind, name }).toString()}`;

export const load: PageServerLoad = async (event) => ({ request: await fetchRequest(event, requestId(event)) });

export const actions: Actions = {
  review: async (event) => {
    const id = requestId(event);
    const result = await api(event).post(`/admin/membership-requests/${id}/review`);
    if (!result.ok) return failWith(result.status, result.error);
    return { success: 'The request is now marked as in review.' };
  },
  approve: async (event) => {
    const id = requestId(event);
    const request = await fetchRequest(event, id);
    const result = await api(event).post(`/admin/membership-requests/${id}/approve`);
    if (!result.ok) return failWith(result.status, result.error);
    redirect(303, done('approved', request.fullName));
  },
  decline: async (event) => {
    const id = requestId(event);
    const data = await event.request.formData();
    const reason = text(data, 'reason');
    const invalid = checkWords(reason, 'reason', 'a reason');
    if (invalid) return invalid;
    const request = await fetchRequest(event, id);
    const result = await api(event).post(`/admin/membership-requests/${id}/decline`, { reason });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    redirect(303, done('declined', request.fullName));
  },
  ask: async (event) => {
    const id = requestId(event);
    const data = await event.request.formData();
    const message = text(data, 'message');
    const invalid = checkWords(message, 'message', 'a question');
    if (invalid) return invalid;
    const request = await fetchRequest(event, id);
    const result = await api(event).post(`/admin/membership-requests/${id}/request-info`, { message });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    redirect(303, done('asked', request.fullName));
  }
};
