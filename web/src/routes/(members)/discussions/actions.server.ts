import { fail, type ActionFailure, type RequestEvent } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import {
  FLAG_REASON_LABELS,
  idFrom,
  isFlagReason,
  isLevel,
  isReaction,
  LEVEL_LABELS,
  REACTION_LABELS,
  type ActionOutcome,
  type PrivacyFinding
} from '$lib/discussions';

/**
 * Form actions shared by the discussion pages: the composer (preview, privacy confirmation, drafts)
 * and the per-post forms of the thread page. Every call goes through the one API client.
 */

type Event = Pick<RequestEvent, 'fetch' | 'cookies'>;

export function failure(status: number, outcome: ActionOutcome) {
  return fail(status, outcome);
}

/** An API error as an outcome; the privacy guard's 422 keeps its findings so the page can ask to confirm. */
export function apiFailure(
  result: { status: number; error: ApiError },
  scope: ActionOutcome['scope'],
  data: FormData,
  postId?: number
) {
  const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
  const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
  return fail(result.status, {
    scope,
    postId,
    message: result.error.message,
    fields: privacy ? {} : (result.error.fields ?? {}),
    values: formValues(data),
    findings: privacy ? findings : undefined
  } satisfies ActionOutcome);
}

/**
 * What the composer sends besides the text: confirmation only when the member ticked the box.
 * "Post anyway" without the box ticked is refused here, with the text kept.
 */
export function privacyConfirmation(
  data: FormData
): { ok: true; confirm: { confirmPrivacy?: true } } | { ok: false; failure: ActionFailure<ActionOutcome> } {
  const confirmed = text(data, 'confirmPrivacy') === 'yes';
  if (text(data, 'intent') === 'confirm' && !confirmed) {
    const message = 'Tick the box to confirm the message contains no victim-identifying information, or edit it.';
    return {
      ok: false,
      failure: fail(400, {
        scope: 'composer',
        message,
        fields: { confirmPrivacy: message },
        values: formValues(data),
        findings: parseFindings(text(data, 'findings'))
      } satisfies ActionOutcome)
    };
  }
  return { ok: true, confirm: confirmed ? { confirmPrivacy: true } : {} };
}

/** The findings shown with the confirmation box travel back with it, so a refused confirm can show them again. */
export function parseFindings(raw: string): PrivacyFinding[] | undefined {
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return undefined;
    return list
      .filter(
        (f): f is PrivacyFinding =>
          !!f &&
          typeof f === 'object' &&
          typeof f.label === 'string' &&
          typeof f.excerpt === 'string' &&
          typeof f.kind === 'string'
      )
      .slice(0, 20);
  } catch {
    return undefined;
  }
}

/** Exactly what saving would store (the server renders and sanitizes it), and what the privacy guard would ask. */
export async function previewAction(event: Event, data: FormData, withTitle: boolean) {
  const title = text(data, 'title');
  const result = await api(event).post<{ html: string; title: string | null; findings: PrivacyFinding[] }>(
    '/discussions/preview',
    { body: text(data, 'body'), ...(withTitle && title.trim() ? { title } : {}) }
  );
  if (!result.ok) return apiFailure(result, 'composer', data);
  return { scope: 'composer', preview: result.data, values: formValues(data) } satisfies ActionOutcome;
}

/**
 * The composer saves what is being written (called by the page's script, debounced). An empty body
 * is saved too: that is how a draft is discarded.
 */
export async function draftAction(event: Event, data: FormData, path: string, withTitle: boolean) {
  const body = text(data, 'body');
  const title = withTitle ? text(data, 'title') : '';
  const result = await api(event).put(path, { body, ...(withTitle ? { title: title || null } : {}) });
  if (!result.ok) return apiFailure(result, 'draft', data);
  return {
    scope: 'draft',
    savedAt: (result.data as { savedAt?: number }).savedAt,
    success: body.trim() ? 'Draft saved' : 'Draft discarded'
  } satisfies ActionOutcome;
}

const noPost = (scope: ActionOutcome['scope'], data: FormData) =>
  fail(400, {
    scope,
    message: 'The form did not say which post. Reload the page and try again.',
    values: formValues(data)
  } satisfies ActionOutcome);

/** The per-post forms of the thread page. Each answer names its post, so the page shows it there. */
export const postActions = {
  react: async (event: RequestEvent) => {
    const data = await event.request.formData();
    const postId = idFrom(text(data, 'postId'));
    if (!postId) return noPost('post', data);
    // "thanks:on" / "thanks:off": the button says what it will do, so a double submit does not undo itself.
    const [kind = '', want = ''] = text(data, 'reaction').split(':');
    if (!isReaction(kind) || (want !== 'on' && want !== 'off')) {
      return fail(400, { scope: 'post', postId, message: 'Choose a reaction from the list.' } satisfies ActionOutcome);
    }
    const result = await api(event).post(`/discussions/posts/${postId}/reactions`, { kind, reacted: want === 'on' });
    if (!result.ok) return apiFailure(result, 'post', data, postId);
    const label = REACTION_LABELS[kind];
    return {
      scope: 'post',
      postId,
      success: want === 'on' ? `You reacted “${label}”.` : `Removed your “${label}” reaction.`
    } satisfies ActionOutcome;
  },

  bookmark: async (event: RequestEvent) => {
    const data = await event.request.formData();
    const postId = idFrom(text(data, 'postId'));
    if (!postId) return noPost('post', data);
    const bookmarked = text(data, 'bookmarked') === 'true';
    const result = await api(event).post(`/discussions/posts/${postId}/bookmark`, { bookmarked });
    if (!result.ok) return apiFailure(result, 'post', data, postId);
    return {
      scope: 'post',
      postId,
      success: bookmarked ? 'Bookmarked. Find it under Bookmarks.' : 'Bookmark removed.'
    } satisfies ActionOutcome;
  },

  flag: async (event: RequestEvent) => {
    const data = await event.request.formData();
    const postId = idFrom(text(data, 'postId'));
    if (!postId) return noPost('post', data);
    const reason = text(data, 'reason');
    if (!isFlagReason(reason)) {
      const message = 'Choose why you are flagging this post.';
      return fail(400, {
        scope: 'post',
        postId,
        message,
        fields: { reason: message },
        values: formValues(data)
      } satisfies ActionOutcome);
    }
    const note = text(data, 'note').trim();
    if (note.length > 1000) {
      const message = 'Keep the note under 1,000 characters.';
      return fail(400, {
        scope: 'post',
        postId,
        message,
        fields: { note: message },
        values: formValues(data)
      } satisfies ActionOutcome);
    }
    const result = await api(event).post<{ hidden: boolean }>(`/discussions/posts/${postId}/flag`, {
      reason,
      note: note || null
    });
    if (!result.ok) return apiFailure(result, 'post', data, postId);
    return {
      scope: 'post',
      postId,
      success: `Thank you: flagged as “${FLAG_REASON_LABELS[reason]}”. A moderator will review it.${
        result.data.hidden ? ' The post is hidden until then.' : ''
      }`
    } satisfies ActionOutcome;
  },

  deletePost: async (event: RequestEvent) => {
    const data = await event.request.formData();
    const postId = idFrom(text(data, 'postId'));
    if (!postId) return noPost('post', data);
    const result = await api(event).post(`/discussions/posts/${postId}/delete`);
    if (!result.ok) return apiFailure(result, 'post', data, postId);
    return { scope: 'post', postId, success: 'The post was deleted.' } satisfies ActionOutcome;
  },

  restorePost: async (event: RequestEvent) => {
    const data = await event.request.formData();
    const postId = idFrom(text(data, 'postId'));
    if (!postId) return noPost('post', data);
    const result = await api(event).post(`/discussions/posts/${postId}/restore`);
    if (!result.ok) return apiFailure(result, 'post', data, postId);
    return { scope: 'post', postId, success: 'The post was restored.' } satisfies ActionOutcome;
  }
};

/** Watching / normal / muted, for a thread or a category (path: the API's notification-level route). */
export async function levelAction(event: RequestEvent, path: string) {
  const data = await event.request.formData();
  const level = text(data, 'level');
  if (!isLevel(level)) {
    return fail(400, { scope: 'thread', message: 'Choose watching, normal or muted.' } satisfies ActionOutcome);
  }
  const result = await api(event).post(path, { level });
  if (!result.ok) return apiFailure(result, 'thread', data);
  return { scope: 'thread', success: `Saved. ${LEVEL_LABELS[level]}.` } satisfies ActionOutcome;
}
