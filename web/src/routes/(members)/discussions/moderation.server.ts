import { fail, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import { idFrom, type ActionOutcome } from '$lib/discussions';
import { apiFailure } from './actions.server';

/** Moderators' thread forms (pin, lock, close, move, delete, restore): the API checks the role again. */

type Event = RequestEvent<{ id: string }>;

const threadIdOf = (event: Event) => idFrom(event.params.id);

async function send(event: Event, data: FormData, path: string, body: unknown, success: string) {
  const id = threadIdOf(event);
  if (!id) return fail(404, { scope: 'moderate', message: 'That thread was not found.' } satisfies ActionOutcome);
  const result = await api(event).post(`/discussions/threads/${id}/${path}`, body);
  if (!result.ok) return apiFailure(result, 'moderate', data);
  return { scope: 'moderate', success } satisfies ActionOutcome;
}

export const moderatorActions = {
  pin: async (event: Event) => {
    const data = await event.request.formData();
    const scope = text(data, 'scope');
    const until = text(data, 'until').trim();
    if (scope !== '' && scope !== 'category' && scope !== 'global') {
      return fail(400, {
        scope: 'moderate',
        message: 'Choose where to pin the thread.',
        values: formValues(data)
      } satisfies ActionOutcome);
    }
    if (until !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(until)) {
      const message = 'Enter the date as YYYY-MM-DD.';
      return fail(400, {
        scope: 'moderate',
        message,
        fields: { until: message },
        values: formValues(data)
      } satisfies ActionOutcome);
    }
    const body = { scope: scope === '' ? null : scope, until: scope === '' || until === '' ? null : until };
    const success =
      scope === ''
        ? 'The thread is no longer pinned.'
        : `Pinned ${scope === 'global' ? 'everywhere' : 'in its category'}${body.until ? ` until the end of ${body.until} (UTC)` : ''}.`;
    return send(event, data, 'pin', body, success);
  },
  lock: async (event: Event) => {
    const data = await event.request.formData();
    const locked = text(data, 'locked') === 'true';
    return send(event, data, 'lock', { locked }, locked ? 'The thread is locked.' : 'The thread is unlocked.');
  },
  close: async (event: Event) => {
    const data = await event.request.formData();
    const closed = text(data, 'closed') === 'true';
    return send(event, data, 'close', { closed }, closed ? 'The thread is closed to new replies.' : 'The thread is open again.');
  },
  move: async (event: Event) => {
    const data = await event.request.formData();
    const categoryId = idFrom(text(data, 'categoryId'));
    if (!categoryId) {
      const message = 'Choose a category.';
      return fail(400, { scope: 'moderate', message, fields: { categoryId: message } } satisfies ActionOutcome);
    }
    return send(event, data, 'move', { categoryId }, 'The thread was moved.');
  },
  deleteThread: async (event: Event) => {
    const data = await event.request.formData();
    return send(event, data, 'delete', {}, 'The thread was deleted. Moderators can still open and restore it.');
  },
  restoreThread: async (event: Event) => {
    const data = await event.request.formData();
    return send(event, data, 'restore', {}, 'The thread was restored.');
  }
};
