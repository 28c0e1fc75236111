import type { Tx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../shared/errors.ts';
import { excerpt, parseMarkdown } from '../../shared/markdown.ts';
import { recordAudit } from '../audit/record.ts';
import { indexPost, unindexPost } from '../search/indexer.ts';
import { POST_NOT_FOUND, postRow, readablePost, readableThread, type LoadedPost } from './access.ts';
import { checkPostInterval, compose, renderStored, type ComposeInput, type Composed } from './compose.ts';
import { publishMentions } from './notify.ts';
import { all, get, run } from './sql.ts';
import {
  addCategoryActivity,
  discardDraft,
  insertPost,
  markReadUpTo,
  refreshThreadActivity,
  saveRevision,
  watchUnlessChosen
} from './store.ts';

export interface ReplyInput extends ComposeInput {
  /** The post a quote in the body comes from (the client puts the quoted text in the body). */
  quotePostId?: number | null;
}

function refuseReply(ctx: Ctx, loaded: ReturnType<typeof readableThread>): void {
  if (can(ctx.actor, 'thread.reply', loaded.state)) return;
  if (loaded.thread.deletedAt !== null) throw new Conflict('This thread was deleted; it takes no replies.');
  if (loaded.thread.lockedAt !== null) throw new Conflict('This thread is locked: no one can reply.');
  if (loaded.thread.closedAt !== null) throw new Conflict('This thread is closed to new replies.');
  throw new Forbidden('You cannot reply to this thread.');
}

/** Reply to a thread; replying watches it (unless the member chose a level). */
export async function reply(ctx: Ctx, threadId: number, input: ReplyInput): Promise<{ postId: number; number: number }> {
  authorize(ctx.actor, 'discussions.use');
  const actor = ctx.actor;
  const loaded = readableThread(ctx, threadId);
  refuseReply(ctx, loaded);
  let quotedAuthorId: number | null = null;
  if (input.quotePostId !== undefined && input.quotePostId !== null) {
    const quoted = postRow(ctx.db, input.quotePostId);
    if (!quoted || quoted.threadId !== threadId || quoted.deletedAt !== null || quoted.hiddenAt !== null) {
      throw new Invalid('You can only quote a visible post of this thread.', { quotePostId: 'Not a post of this thread.' });
    }
    quotedAuthorId = quoted.authorId;
  }
  const composed = compose(ctx, { body: input.body, confirmPrivacy: input.confirmPrivacy });
  checkPostInterval(ctx);
  const now = ctx.clock.now();
  const { categoryId } = loaded.thread;
  const { postId, number } = await ctx.writes.run((tx) => {
    // A moderator's lock or delete may have committed since the check above (group commit).
    refuseReply(ctx, readableThread(ctx, threadId));
    // Read the number inside the transaction: one writer, so it cannot be taken twice.
    const number = get<{ n: number }>(tx, 'SELECT last_post_number + 1 AS n FROM threads WHERE id = @threadId', { threadId })!.n;
    const postId = insertPost(tx, {
      threadId,
      number,
      authorId: actor.id,
      body: composed.body,
      html: composed.html,
      quotePostId: input.quotePostId ?? null,
      privacyConfirmed: composed.findings.map((f) => f.kind),
      now
    });
    run(
      tx,
      `UPDATE threads SET last_post_number = @number, post_count = post_count + 1, last_post_at = @now,
         last_post_author_id = @authorId, updated_at = @now WHERE id = @threadId`,
      { number, now, authorId: actor.id, threadId }
    );
    addCategoryActivity(tx, categoryId, 0, 1, now);
    indexPost(tx, postId, '', composed.text);
    markReadUpTo(tx, actor.id, threadId, number, now);
    watchUnlessChosen(tx, actor.id, threadId, now);
    discardDraft(tx, actor.id, 'thread', threadId);
    return { postId, number };
  });
  // Answered once the watchers' notifications are stored too: a 2xx means nothing of it can be lost.
  await Promise.all([
    ctx.bus.publish({
      type: 'post.created',
      postId,
      threadId,
      categoryId,
      number,
      authorId: actor.id,
      threadTitle: loaded.thread.title,
      excerpt: excerpt(composed.text),
      quotedPostId: input.quotePostId ?? null,
      quotedAuthorId
    }),
    publishMentions(ctx, composed.mentionIds, { postId, threadId, categoryId, byMemberId: actor.id })
  ]);
  return { postId, number };
}

function refuseEdit(ctx: Ctx, loaded: LoadedPost): void {
  if (can(ctx.actor, 'post.edit', loaded.postState)) return;
  const { post, thread } = loaded;
  if (post.authorId !== ctx.actor!.id) throw new Forbidden('You can only edit your own posts.');
  if (post.deletedAt !== null || thread.deletedAt !== null) throw new Conflict('This post was deleted.');
  if (post.hiddenAt !== null) throw new Conflict('This post is hidden while a moderator reviews it.');
  if (thread.lockedAt !== null) throw new Conflict('This thread is locked: posts cannot be edited.');
  throw new Forbidden('You cannot edit this post.');
}

/**
 * Replace a post's text (and, on an opening post, the thread's title), keeping the previous version
 * as a revision. Shared by the author's edit and a moderator's "edit" outcome.
 */
export function applyEdit(
  ctx: Ctx,
  loaded: LoadedPost,
  input: ComposeInput,
  also?: (tx: Tx, composed: Composed) => void
): { changed: boolean; newMentions: number[] } {
  const { post, thread } = loaded;
  if (input.title !== undefined && post.number !== 1) {
    throw new Invalid('Only the opening post carries the thread title.', { title: 'Only the opening post has a title.' });
  }
  const composed = compose(ctx, input);
  const titleChanged = composed.title !== null && composed.title !== thread.title;
  if (composed.body === post.body && !titleChanged) {
    if (also) ctx.db.transaction((tx) => also(tx, composed));
    return { changed: false, newMentions: [] };
  }
  const before = new Set(parseMarkdown(post.body).mentionIds);
  const now = ctx.clock.now();
  const title = composed.title ?? thread.title;
  ctx.db.transaction((tx) => {
    saveRevision(tx, {
      postId: post.id,
      title: post.number === 1 ? thread.title : null,
      body: post.body,
      editedBy: ctx.actor!.id,
      now
    });
    run(
      tx,
      `UPDATE posts SET body = @body, body_html = @html, edited_at = @now, edit_count = edit_count + 1,
         privacy_confirmed = @privacy WHERE id = @postId`,
      {
        body: composed.body,
        html: composed.html,
        now,
        postId: post.id,
        privacy: composed.findings.length ? JSON.stringify(composed.findings.map((f) => f.kind)) : null
      }
    );
    if (titleChanged)
      run(tx, 'UPDATE threads SET title = @title, updated_at = @now WHERE id = @id', { title, now, id: thread.id });
    if (post.deletedAt === null && post.hiddenAt === null && thread.deletedAt === null) {
      indexPost(tx, post.id, post.number === 1 ? title : '', composed.text);
    }
    also?.(tx, composed);
  });
  return { changed: true, newMentions: composed.mentionIds.filter((id) => !before.has(id)) };
}

export function editPost(ctx: Ctx, postId: number, input: ComposeInput): { edited: boolean } {
  authorize(ctx.actor, 'discussions.use');
  const loaded = readablePost(ctx, postId);
  refuseEdit(ctx, loaded);
  const { changed, newMentions } = applyEdit(ctx, loaded, input);
  if (!changed) return { edited: false };
  const where = { postId, threadId: loaded.thread.id, categoryId: loaded.thread.categoryId };
  void ctx.bus.publish({ type: 'post.edited', ...where, authorId: loaded.post.authorId, editorId: ctx.actor.id });
  void publishMentions(ctx, newMentions, { ...where, byMemberId: ctx.actor.id });
  return { edited: true };
}

/**
 * Soft delete, inside the caller's transaction: the post keeps its place ("deleted") and leaves the
 * index. An opening post goes only with its thread (a moderator deletes threads).
 */
export function removePostWrites(tx: Tx, ctx: Ctx, loaded: LoadedPost, audit: boolean): void {
  const { post, thread } = loaded;
  const now = ctx.clock.now();
  run(tx, 'UPDATE posts SET deleted_at = @now, deleted_by = @by WHERE id = @id', { now, by: ctx.actor!.id, id: post.id });
  refreshThreadActivity(tx, thread.id);
  if (thread.deletedAt === null) addCategoryActivity(tx, thread.categoryId, 0, -1, null);
  unindexPost(tx, post.id);
  if (audit) {
    recordAudit(tx, ctx, {
      action: 'post.deleted_by_moderator',
      targetType: 'post',
      targetId: post.id,
      detail: { threadId: thread.id, authorId: post.authorId }
    });
  }
}

export function deletePost(ctx: Ctx, postId: number): void {
  authorize(ctx.actor, 'discussions.use');
  const loaded = readablePost(ctx, postId);
  const { post, thread } = loaded;
  if (!can(ctx.actor, 'post.delete', loaded.postState)) {
    if (post.deletedAt !== null) throw new Conflict('This post was already deleted.');
    if (post.authorId === ctx.actor.id && thread.lockedAt !== null) throw new Conflict('This thread is locked.');
    throw new Forbidden('You can only delete your own posts.');
  }
  if (post.number === 1) {
    throw new Conflict('The opening post cannot be deleted on its own: edit it, or ask a moderator to remove the thread.');
  }
  const byModerator = post.authorId !== ctx.actor.id;
  ctx.db.transaction((tx) => removePostWrites(tx, ctx, loaded, byModerator));
  ctx.bus.publish({ type: 'post.deleted', postId, threadId: thread.id, categoryId: thread.categoryId, byModerator });
}

/** Moderators bring back a deleted post (its text returns to search unless it is hidden). */
export function restorePost(ctx: Ctx, postId: number): void {
  authorize(ctx.actor, 'discussions.moderate');
  const loaded = readablePost(ctx, postId);
  const { post, thread } = loaded;
  if (post.deletedAt === null) throw new Conflict('This post is not deleted.');
  const text = renderStored(ctx.db, post.body).text;
  ctx.db.transaction((tx) => {
    run(tx, 'UPDATE posts SET deleted_at = NULL, deleted_by = NULL WHERE id = @id', { id: post.id });
    refreshThreadActivity(tx, thread.id);
    if (thread.deletedAt === null) addCategoryActivity(tx, thread.categoryId, 0, 1, null);
    if (post.hiddenAt === null && thread.deletedAt === null) indexPost(tx, post.id, post.number === 1 ? thread.title : '', text);
    recordAudit(tx, ctx, { action: 'post.restored', targetType: 'post', targetId: post.id, detail: { threadId: thread.id } });
  });
  ctx.bus.publish({ type: 'post.restored', postId, threadId: thread.id, categoryId: thread.categoryId });
}

/** Earlier versions, newest first: for the author and moderators only. Markdown source, shown as text. */
export function listRevisions(ctx: Ctx, postId: number) {
  authorize(ctx.actor, 'discussions.use');
  const loaded = readablePost(ctx, postId);
  if (!can(ctx.actor, 'post.viewRevisions', loaded.postState)) {
    if (loaded.post.deletedAt !== null && !can(ctx.actor, 'discussions.moderate')) throw new NotFound(POST_NOT_FOUND);
    throw new Forbidden('Only the author and moderators can see earlier versions of a post.');
  }
  return {
    postId,
    current: { body: loaded.post.purgedAt === null ? loaded.post.body : '', editedAt: loaded.post.editedAt },
    revisions: all<{
      id: number;
      title: string | null;
      body: string;
      editedById: number;
      editedByName: string;
      replacedAt: number;
    }>(
      ctx.db,
      `SELECT r.id, r.title, r.body, r.edited_by AS editedById, m.name AS editedByName, r.replaced_at AS replacedAt
       FROM post_revisions r JOIN members m ON m.id = r.edited_by WHERE r.post_id = @postId ORDER BY r.id DESC`,
      { postId }
    )
  };
}
