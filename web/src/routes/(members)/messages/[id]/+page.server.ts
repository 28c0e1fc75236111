import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import { formValues, text } from '$lib/forms';
import {
  isMessageFlagReason,
  MESSAGE_FLAG_REASON_LABELS,
  type ConversationPage,
  type MessageOutcome
} from '$lib/components/messages/types';
import { apiFailure, messageToSend } from '../actions.server';
import type { Actions, PageServerLoad } from './$types';

const notFound = 'That conversation was not found, or you are not part of it.';

interface ReadReply {
  unreadCount: number;
  unreadTotal: number;
}

/**
 * One conversation, oldest message first (?before= pages back). Opened as a full page (also without
 * JavaScript) it is marked read here; the page's script marks what arrives later while it is looked at.
 */
export const load: PageServerLoad = async (event) => {
  const id = idFrom(event.params.id);
  if (!id) error(404, notFound);
  const before = idFrom(event.url.searchParams.get('before'));
  const client = api(event);
  const result = await client.get<ConversationPage>(`/messages/conversations/${id}`, { before });
  if (!result.ok) error(result.status === 400 ? 404 : result.status, result.status === 404 ? notFound : result.error.message);
  const page = result.data;
  const newest = page.messages.at(-1);
  let unreadTotal: number | null = null;
  if (!event.isDataRequest && !before && newest && page.conversation.unreadCount > 0) {
    const read = await client.post<ReadReply>(`/messages/conversations/${id}/read`, { upTo: newest.id });
    if (read.ok) {
      // lastReadMessageId stays as it was: the page marks where the new messages begin.
      page.conversation.unreadCount = read.data.unreadCount;
      unreadTotal = read.data.unreadTotal;
    }
  }
  return { page, paged: before !== null, unreadTotal };
};

const noMessage = (data: FormData) =>
  fail(400, {
    scope: 'message',
    message: 'The form did not say which message. Reload the page and try again.',
    values: formValues(data)
  } satisfies MessageOutcome);

function conversationId(event: RequestEvent): number {
  return idFrom(event.params.id ?? '') ?? 0;
}

export const actions: Actions = {
  reply: async (event) => {
    const data = await event.request.formData();
    const message = messageToSend(data);
    if (!message.ok) return message.failure;
    const result = await api(event).post<{ conversationId: number; messageId: number }>(
      `/messages/conversations/${conversationId(event)}`,
      { body: message.body, ...message.confirm }
    );
    if (!result.ok) return apiFailure(result, 'composer', data);
    return { scope: 'composer', messageId: result.data.messageId, success: 'Message sent.' } satisfies MessageOutcome;
  },

  /** How far the member has read: the page's script reports it; without JavaScript the page load does. */
  read: async (event) => {
    const data = await event.request.formData();
    const upTo = idFrom(text(data, 'upTo'));
    if (!upTo) return fail(400, { scope: 'read', message: 'The form did not say which message.' } satisfies MessageOutcome);
    const result = await api(event).post<ReadReply>(`/messages/conversations/${conversationId(event)}/read`, { upTo });
    if (!result.ok) return apiFailure(result, 'read', data);
    return { scope: 'read', success: 'Marked as read.', unreadTotal: result.data.unreadTotal } satisfies MessageOutcome;
  },

  flag: async (event) => {
    const data = await event.request.formData();
    const messageId = idFrom(text(data, 'messageId'));
    if (!messageId) return noMessage(data);
    const reason = text(data, 'reason');
    const refuse = (field: string, message: string) =>
      fail(400, {
        scope: 'message',
        messageId,
        message,
        fields: { [field]: message },
        values: formValues(data)
      } satisfies MessageOutcome);
    if (!isMessageFlagReason(reason)) return refuse('reason', 'Choose why you are flagging this message.');
    const note = text(data, 'note').trim();
    if (note.length > 1000) return refuse('note', 'Keep the note under 1,000 characters.');
    if (reason === 'other' && note === '') return refuse('note', 'Say in the note what is wrong with this message.');
    const result = await api(event).post<{ flagId: number; hidden: boolean }>(`/messages/${messageId}/flag`, {
      reason,
      note: note || null
    });
    if (!result.ok) return apiFailure(result, 'message', data, messageId);
    return {
      scope: 'message',
      messageId,
      success: `Thank you: flagged as “${MESSAGE_FLAG_REASON_LABELS[reason]}”. A moderator will review it.${
        result.data.hidden ? ' The message is hidden until then.' : ''
      }`
    } satisfies MessageOutcome;
  },

  deleteMessage: async (event) => {
    const data = await event.request.formData();
    const messageId = idFrom(text(data, 'messageId'));
    if (!messageId) return noMessage(data);
    const result = await api(event).post(`/messages/${messageId}/delete`);
    if (!result.ok) return apiFailure(result, 'message', data, messageId);
    return { scope: 'message', messageId, success: 'Your message was deleted.' } satisfies MessageOutcome;
  }
};
