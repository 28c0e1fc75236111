import { error, fail, redirect } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import { text } from '$lib/forms';
import type { MessageOutcome, Recipient } from '$lib/components/messages/types';
import { apiFailure, messageToSend } from '../actions.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That member was not found, or can no longer receive messages.';

/** "Send a message" from a profile: a conversation already under way opens instead of a new one. */
export const load: PageServerLoad = async (event) => {
  const to = idFrom(event.url.searchParams.get('to'));
  if (!to) error(404, 'Choose who to write to from their profile (Members).');
  const result = await api(event).get<Recipient>(`/messages/to/${to}`);
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.status === 404 ? notFound : result.error.message);
  if (result.data.conversationId !== null) redirect(303, `/messages/${result.data.conversationId}`);
  return { recipient: result.data };
};

export const actions: Actions = {
  send: async (event) => {
    const data = await event.request.formData();
    const to = idFrom(text(data, 'to'));
    if (!to) return fail(400, { scope: 'composer', message: notFound } satisfies MessageOutcome);
    const message = messageToSend(data);
    if (!message.ok) return message.failure;
    const result = await api(event).post<{ conversationId: number; messageId: number }>('/messages', {
      to,
      body: message.body,
      ...message.confirm
    });
    if (!result.ok) return apiFailure(result, 'composer', data);
    redirect(303, `/messages/${result.data.conversationId}?sent=1`);
  }
};
