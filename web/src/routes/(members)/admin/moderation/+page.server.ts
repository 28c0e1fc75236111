import { error, fail } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import type { FlagReason } from '$lib/discussions';
import { failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

interface QueueItem {
  firstFlaggedAt: number;
  post: {
    id: number;
    number: number;
    author: { id: number; name: string };
    html: string | null;
    createdAt: number;
    editedAt: number | null;
    status: 'visible' | 'hidden' | 'deleted';
    hiddenReason: 'pii_flag' | 'moderator' | null;
    privacyConfirmed: string[] | null;
  } | null;
  thread: { id: number; title: string; category: { id: number; name: string } } | null;
  flags: { id: number; reason: FlagReason; note: string | null; createdAt: number; flagger: { id: number; name: string } }[];
  context: { id: number; number: number; authorName: string; html: string | null }[];
}

interface PostReply {
  source: string | null;
}

const CURSOR = /^\d{1,15}\.\d{1,12}$/;

export const load: PageServerLoad = async (event) => {
  const { member } = await event.parent();
  if (member.role !== 'moderator' && member.role !== 'admin') error(403, 'Only moderators review flags.');
  const raw = event.url.searchParams.get('after');
  const after = raw && CURSOR.test(raw) ? raw : undefined;
  const client = api(event);
  const queue = await client.get<{ items: QueueItem[]; next: string | null }>('/moderation/flags', { after, limit: 20 });
  if (!queue.ok) error(queue.status >= 400 ? queue.status : 500, queue.error.message);
  // The queue carries the rendered post; the edit form needs its Markdown, which the post's own route gives moderators.
  const items = await Promise.all(
    queue.data.items.flatMap(({ post, thread, ...item }) =>
      post && thread
        ? [
            (async () => {
              const own = post.status === 'deleted' ? null : await client.get<PostReply>(`/discussions/posts/${post.id}`);
              return {
                ...item,
                post,
                thread,
                pii: item.flags.some((f) => f.reason === 'pii'),
                source: own?.ok ? own.data.source : null
              };
            })()
          ]
        : []
    )
  );
  // Victim-identifying information first: those posts are hidden from members until someone decides.
  items.sort((a, b) => Number(b.pii) - Number(a.pii) || a.firstFlaggedAt - b.firstFlaggedAt);
  return { items, next: queue.data.next, paged: Boolean(after) };
};

type Problem = { message: string; fields: Record<string, string>; values: Record<string, string> };

/** The post the form is about, or a problem to show. */
function postIdOf(data: FormData): number | null {
  const id = Number(text(data, 'postId'));
  return Number.isInteger(id) && id > 0 ? id : null;
}

const noPost = () =>
  fail(400, {
    message: 'The form did not say which post. Reload the page and try again.',
    fields: {} as Record<string, string>,
    values: {} as Record<string, string>
  } satisfies Problem);

/** The privacy guard's 422 asks for a confirmation: the page then offers the checkbox. */
function failFromApi(status: number, apiError: ApiError, values: Record<string, string>) {
  return failWith(status, apiError, apiError.code === 'privacy_check' ? { ...values, privacyCheck: '1' } : values);
}

async function decide(event: RequestEvent, data: FormData, postId: number, body: Record<string, unknown>, success: string) {
  const result = await api(event).post(`/moderation/posts/${postId}/decide`, body);
  if (!result.ok) return failFromApi(result.status, result.error, formValues(data));
  return { success, postId };
}

const QUICK = {
  dismiss: 'Dismissed the flags. The post stays as it is, and the flaggers were told.',
  hide: 'Hid the post from members. The author and the flaggers were told.',
  delete: 'Deleted the post. The author and the flaggers were told.'
} as const;

export const actions: Actions = {
  decide: async (event) => {
    const data = await event.request.formData();
    const postId = postIdOf(data);
    if (postId === null) return noPost();
    const outcome = text(data, 'outcome');
    if (!Object.hasOwn(QUICK, outcome)) {
      const message = 'Choose Dismiss, Hide post or Delete post.';
      return fail(400, { message, fields: {}, values: formValues(data) } satisfies Problem);
    }
    const note = text(data, 'note').trim();
    if (note.length > 1000) {
      const message = 'Keep the note to 1000 characters.';
      return fail(400, { message, fields: { note: message }, values: formValues(data) } satisfies Problem);
    }
    return decide(event, data, postId, { outcome, note: note || null }, QUICK[outcome as keyof typeof QUICK]);
  },
  warn: async (event) => {
    const data = await event.request.formData();
    const postId = postIdOf(data);
    if (postId === null) return noPost();
    const message = text(data, 'message').trim();
    const problem =
      message === ''
        ? 'Write the warning to send to the author.'
        : message.length > 2000
          ? 'Keep the warning to 2000 characters.'
          : null;
    if (problem) return fail(400, { message: problem, fields: { message: problem }, values: formValues(data) } satisfies Problem);
    return decide(event, data, postId, { outcome: 'warn', message }, 'Sent the warning to the author and closed the flags.');
  },
  edit: async (event) => {
    const data = await event.request.formData();
    const postId = postIdOf(data);
    if (postId === null) return noPost();
    const body = text(data, 'body');
    if (body.trim() === '') {
      const message = 'Give the corrected text. To remove the post, use Delete post.';
      return fail(400, { message, fields: { body: message }, values: formValues(data) } satisfies Problem);
    }
    const title = data.has('title') ? text(data, 'title').trim() : undefined;
    if (title !== undefined && title === '') {
      const message = 'Give the thread a title.';
      return fail(400, { message, fields: { title: message }, values: formValues(data) } satisfies Problem);
    }
    const confirmPrivacy = text(data, 'confirmPrivacy') === 'yes';
    return decide(
      event,
      data,
      postId,
      { outcome: 'edit', body, ...(title !== undefined ? { title } : {}), ...(confirmPrivacy ? { confirmPrivacy } : {}) },
      'Saved the corrected text. The author and the flaggers were told.'
    );
  },
  purge: async (event) => {
    const data = await event.request.formData();
    const postId = postIdOf(data);
    if (postId === null) return noPost();
    if (text(data, 'understood') !== 'yes') {
      const message = 'Tick "I understand this permanently removes the text" to purge it.';
      return fail(400, { message, fields: { understood: message }, values: formValues(data) } satisfies Problem);
    }
    const replacement = text(data, 'replacement').trim();
    const title = text(data, 'title').trim();
    const confirmPrivacy = text(data, 'confirmPrivacy') === 'yes';
    const result = await api(event).post<{ quotingPostsHidden: number[] }>(`/moderation/posts/${postId}/purge`, {
      replacement: replacement || null,
      title: title || null,
      ...(confirmPrivacy ? { confirmPrivacy } : {})
    });
    if (!result.ok) return failFromApi(result.status, result.error, formValues(data));
    const quoting = result.data.quotingPostsHidden.length;
    const also =
      quoting === 0
        ? ''
        : ` ${quoting === 1 ? 'One post quoting it was' : `${quoting} posts quoting it were`} hidden and added to this queue.`;
    return { success: `Purged the text from the post, its earlier versions and search.${also}`, postId };
  }
};
