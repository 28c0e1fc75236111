import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { idFrom } from '$lib/discussions';
import { formValues, text } from '$lib/forms';
import type { MessageFlagReason } from '$lib/components/messages/types';
import type { Actions, PageServerLoad } from './$types';

interface Named {
  id: number;
  name: string;
}

interface QueueItem {
  firstFlaggedAt: number;
  message: {
    id: number;
    conversationId: number;
    author: Named;
    recipient: Named;
    html: string | null;
    at: number;
    state: 'visible' | 'hidden' | 'deleted';
    hiddenReason: string | null;
  };
  flags: { id: number; reason: MessageFlagReason; note: string | null; createdAt: number; flagger: Named }[];
  context: { id: number; author: Named; html: string | null; at: number }[];
}

const CURSOR = /^[\w.:-]{1,100}$/;

/** Flagged direct messages: the only way staff ever read one (the API audits every view). */
export const load: PageServerLoad = async (event) => {
  const { member } = await event.parent();
  if (member.role !== 'moderator' && member.role !== 'admin') error(403, 'Only moderators review flags.');
  const raw = event.url.searchParams.get('after');
  const after = raw && CURSOR.test(raw) ? raw : undefined;
  const queue = await api(event).get<{ items: QueueItem[]; next: string | null }>('/moderation/messages', { after, limit: 20 });
  if (!queue.ok) error(queue.status === 400 ? 404 : queue.status, queue.error.message);
  const items = queue.data.items
    .filter((item) => item.flags.length > 0)
    .map((item) => ({ ...item, pii: item.flags.some((f) => f.reason === 'pii') }));
  // Victim-identifying information first: those messages are hidden until someone decides.
  items.sort((a, b) => Number(b.pii) - Number(a.pii) || a.firstFlaggedAt - b.firstFlaggedAt);
  return { items, next: queue.data.next, paged: after !== undefined };
};

type Problem = { message: string; fields: Record<string, string>; values: Record<string, string> };

const OUTCOMES = {
  dismiss: 'Dismissed the flags. The message is shown again, and the flagger was told.',
  hide: 'Hid the message. The author and the flagger were told.',
  delete: 'Deleted the message. The author and the flagger were told.',
  purge: 'Purged the text of the message for good. The author and the flagger were told.',
  warn: 'Sent the warning to the author and closed the flags.'
} as const;

type Outcome = keyof typeof OUTCOMES;

export const actions: Actions = {
  decide: async (event) => {
    const data = await event.request.formData();
    const values = formValues(data);
    const refuse = (message: string, fields: Record<string, string> = {}) =>
      fail(400, { message, fields, values } satisfies Problem);
    const flagId = idFrom(text(data, 'flagId'));
    if (!flagId) return refuse('The form did not say which flag. Reload the page and try again.');
    const outcome = text(data, 'outcome');
    if (!Object.hasOwn(OUTCOMES, outcome)) return refuse('Choose one of the outcomes.');
    const note = text(data, 'note').trim();
    if (note.length > 1000) return refuse('Keep the note to 1000 characters.', { note: 'Keep the note to 1000 characters.' });
    const message = text(data, 'message').trim();
    if (outcome === 'warn' && message === '') {
      return refuse('Write the warning to send to the author.', { message: 'Write the warning to send to the author.' });
    }
    if (message.length > 2000)
      return refuse('Keep the warning to 2000 characters.', { message: 'Keep the warning to 2000 characters.' });
    if (outcome === 'purge' && text(data, 'understood') !== 'yes') {
      const problem = 'Tick "I understand this permanently removes the text" to purge it.';
      return refuse(problem, { understood: problem });
    }
    const result = await api(event).post(`/moderation/message-flags/${flagId}`, {
      outcome,
      ...(outcome === 'warn' ? { message } : {}),
      ...(note ? { note } : {})
    });
    if (!result.ok)
      return fail(result.status, { message: result.error.message, fields: result.error.fields ?? {}, values } satisfies Problem);
    return { success: OUTCOMES[outcome as Outcome] };
  }
};
