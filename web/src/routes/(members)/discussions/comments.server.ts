import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { commentHref, idFrom, type ActionOutcome, type ThreadPage } from '$lib/discussions';
import { apiFailure, draftAction, previewAction, privacyConfirmation } from './actions.server';

/**
 * Comments on a resource, a spotlight or a suggestion: a discussion thread shown on that page
 * (?comments=<from> pages it), written with the discussion composer. One loader and one set of form
 * actions for every such page; the thread id always comes from the API, never from the form.
 */

export interface CommentDraft {
  body: string;
}

/** The page the comments hang on: its address and its thread (null while it has none, e.g. an unpublished spotlight). */
export interface CommentsHome {
  href: string;
  threadId: number | null;
}

/** The page of comments asked for by ?comments=, and the member's saved draft when they may comment. */
export async function loadComments(
  event: RequestEvent,
  threadId: number | null
): Promise<{ comments: ThreadPage | null; draft: CommentDraft | null }> {
  if (threadId === null) return { comments: null, draft: null };
  const client = api(event);
  const from = idFrom(event.url.searchParams.get('comments')) ?? 1;
  const thread = await client.get<ThreadPage>(`/discussions/threads/${threadId}`, { from });
  const comments = thread.ok ? thread.data : null;
  if (!comments?.thread.can.reply) return { comments, draft: null };
  const saved = await client.get<{ draft: CommentDraft | null }>(`/discussions/threads/${threadId}/draft`);
  return { comments, draft: saved.ok && saved.data.draft && saved.data.draft.body.trim() ? saved.data.draft : null };
}

/** reply, preview, saveDraft and discardDraft for a page whose comments thread `homeOf` finds. */
export function commentActions(homeOf: (event: RequestEvent) => Promise<CommentsHome | null>, notFound: string) {
  const draftPath = async (event: RequestEvent) => `/discussions/threads/${(await homeOf(event))?.threadId ?? 0}/draft`;
  return {
    reply: async (event: RequestEvent) => {
      const data = await event.request.formData();
      const home = await homeOf(event);
      if (!home?.threadId) return fail(404, { scope: 'composer', message: notFound } satisfies ActionOutcome);
      const privacy = privacyConfirmation(data);
      if (!privacy.ok) return privacy.failure;
      const result = await api(event).post<{ postId: number; number: number }>(`/discussions/threads/${home.threadId}/posts`, {
        body: text(data, 'body'),
        quotePostId: idFrom(text(data, 'quotePostId')),
        ...privacy.confirm
      });
      if (!result.ok) return apiFailure(result, 'composer', data);
      redirect(303, commentHref(home.href, result.data.number));
    },
    preview: async (event: RequestEvent) => previewAction(event, await event.request.formData(), false),
    saveDraft: async (event: RequestEvent) => draftAction(event, await event.request.formData(), await draftPath(event), false),
    discardDraft: async (event: RequestEvent) => {
      const data = new FormData();
      data.set('body', '');
      return draftAction(event, data, await draftPath(event), false);
    }
  };
}
