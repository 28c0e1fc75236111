import type { Tx } from '../../../db/client.ts';
import type { FlagReason } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { HOUR } from '../../shared/clock.ts';
import { Conflict, Invalid } from '../../shared/errors.ts';
import { recordAudit, type AuditAction } from '../audit/record.ts';
import { indexPost, unindexPost } from '../search/indexer.ts';
import { readablePost, type LoadedPost } from './access.ts';
import { checkActionRate, cleanTitle, compose, renderStored } from './compose.ts';
import { applyEdit, removePostWrites } from './posts.ts';
import { all, get, run } from './sql.ts';
import { deleteThreadWrites } from './staff.ts';
import { resolveFlags } from './store.ts';

/**
 * Flags and the moderators' decisions. Any member may flag a post; a PII flag ("contains
 * victim-identifying information") hides it at once, pending review. Every decision resolves the
 * post's open flags, is audited, and is published so the flaggers and the author are told.
 */

export interface FlagInput {
  reason: FlagReason;
  note?: string | null;
}

function hideWrites(tx: Tx, postId: number, reason: 'pii_flag' | 'moderator', now: number): void {
  run(tx, 'UPDATE posts SET hidden_at = @now, hidden_reason = @reason WHERE id = @postId', { now, reason, postId });
  unindexPost(tx, postId);
}

function unhideWrites(tx: Tx, loaded: LoadedPost, text: string): void {
  const { post, thread } = loaded;
  run(tx, 'UPDATE posts SET hidden_at = NULL, hidden_reason = NULL WHERE id = @postId', { postId: post.id });
  if (post.deletedAt === null && thread.deletedAt === null) {
    const title =
      post.number === 1
        ? (get<{ title: string }>(tx, 'SELECT title FROM threads WHERE id = @id', { id: thread.id })?.title ?? '')
        : '';
    indexPost(tx, post.id, title, text);
  }
}

const where = (loaded: LoadedPost) => ({
  postId: loaded.post.id,
  threadId: loaded.thread.id,
  categoryId: loaded.thread.categoryId
});

export function flagPost(ctx: Ctx, postId: number, input: FlagInput): { flagId: number; hidden: boolean } {
  authorize(ctx.actor, 'discussions.use');
  const loaded = readablePost(ctx, postId);
  if (!can(ctx.actor, 'post.flag', loaded.postState)) throw new Conflict('This post was deleted.');
  const note = input.note?.trim() || null;
  if (input.reason === 'other' && !note) {
    throw new Invalid('Say what is wrong with this post.', { note: 'Required when the reason is "other".' });
  }
  const me = ctx.actor.id;
  if (
    get(ctx.db, 'SELECT 1 FROM post_flags WHERE post_id = @postId AND flagger_id = @me AND resolved_at IS NULL', { postId, me })
  ) {
    throw new Conflict('You already flagged this post; a moderator will review it.');
  }
  checkActionRate(ctx, 'flag', 20, HOUR);
  const now = ctx.clock.now();
  const hide = input.reason === 'pii' && loaded.post.hiddenAt === null;
  const flagId = ctx.db.transaction((tx) => {
    const id = Number(
      run(
        tx,
        'INSERT INTO post_flags (post_id, flagger_id, reason, note, created_at) VALUES (@postId, @me, @reason, @note, @now)',
        { postId, me, reason: input.reason, note, now }
      ).lastInsertRowid
    );
    recordAudit(tx, ctx, {
      action: 'post.flagged',
      targetType: 'post',
      targetId: postId,
      detail: { reason: input.reason, flagId: id }
    });
    if (hide) {
      hideWrites(tx, postId, 'pii_flag', now);
      recordAudit(tx, ctx, {
        action: 'post.hidden_pending_review',
        targetType: 'post',
        targetId: postId,
        detail: { flagId: id }
      });
    }
    return id;
  });
  ctx.bus.publish({ type: 'post.flagged', flagId, ...where(loaded), flaggerId: me, reason: input.reason, hidden: hide });
  if (hide) ctx.bus.publish({ type: 'post.hidden', ...where(loaded), reason: 'pii_flag' });
  return { flagId, hidden: hide };
}

interface QueueRow {
  postId: number;
  firstFlaggedAt: number;
  flagCount: number;
}

/** Posts with open flags, oldest first, each with its flags and the posts just before it (context). */
export function moderationQueue(ctx: Ctx, query: { after?: string; limit?: number }) {
  authorize(ctx.actor, 'discussions.moderate');
  const limit = query.limit ?? 20;
  let cursor: { afterAt: number; afterId: number } | null = null;
  if (query.after !== undefined) {
    const match = /^(\d{1,15})\.(\d{1,12})$/.exec(query.after);
    if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
    cursor = { afterAt: Number(match[1]), afterId: Number(match[2]) };
  }
  const rows = all<QueueRow>(
    ctx.db,
    `SELECT post_id AS postId, min(created_at) AS firstFlaggedAt, count(*) AS flagCount FROM post_flags
     WHERE resolved_at IS NULL GROUP BY post_id
     ${cursor ? 'HAVING min(created_at) > @afterAt OR (min(created_at) = @afterAt AND post_id > @afterId)' : ''}
     ORDER BY firstFlaggedAt, postId LIMIT @limit`,
    { limit: limit + 1, ...(cursor ?? {}) }
  );
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map((r) => queueItem(ctx, r)),
    next: rows.length > limit && last ? `${last.firstFlaggedAt}.${last.postId}` : null
  };
}

function queueItem(ctx: Ctx, row: QueueRow) {
  const post = get<{
    id: number;
    threadId: number;
    number: number;
    authorId: number;
    authorName: string;
    html: string;
    createdAt: number;
    editedAt: number | null;
    deletedAt: number | null;
    hiddenAt: number | null;
    hiddenReason: string | null;
    privacyConfirmed: string | null;
    threadTitle: string;
    categoryId: number;
    categoryName: string;
  }>(
    ctx.db,
    `SELECT p.id, p.thread_id AS threadId, p.number, p.author_id AS authorId, m.name AS authorName, p.body_html AS html,
       p.created_at AS createdAt, p.edited_at AS editedAt, p.deleted_at AS deletedAt, p.hidden_at AS hiddenAt,
       p.hidden_reason AS hiddenReason, p.privacy_confirmed AS privacyConfirmed, t.title AS threadTitle,
       t.category_id AS categoryId, c.name AS categoryName
     FROM posts p JOIN members m ON m.id = p.author_id JOIN threads t ON t.id = p.thread_id JOIN categories c ON c.id = t.category_id
     WHERE p.id = @postId`,
    { postId: row.postId }
  );
  const flags = all<{
    id: number;
    reason: FlagReason;
    note: string | null;
    createdAt: number;
    flaggerId: number;
    flaggerName: string;
  }>(
    ctx.db,
    `SELECT f.id, f.reason, f.note, f.created_at AS createdAt, f.flagger_id AS flaggerId, m.name AS flaggerName
     FROM post_flags f JOIN members m ON m.id = f.flagger_id WHERE f.post_id = @postId AND f.resolved_at IS NULL ORDER BY f.id`,
    { postId: row.postId }
  );
  const context = post
    ? all<{ id: number; number: number; authorName: string; html: string | null }>(
        ctx.db,
        `SELECT p.id, p.number, m.name AS authorName, CASE WHEN p.deleted_at IS NULL THEN p.body_html END AS html
         FROM posts p JOIN members m ON m.id = p.author_id
         WHERE p.thread_id = @threadId AND p.number < @number ORDER BY p.number DESC LIMIT 2`,
        { threadId: post.threadId, number: post.number }
      ).reverse()
    : [];
  return {
    firstFlaggedAt: row.firstFlaggedAt,
    post: post
      ? {
          id: post.id,
          number: post.number,
          author: { id: post.authorId, name: post.authorName },
          html: post.html,
          createdAt: post.createdAt,
          editedAt: post.editedAt,
          status: post.deletedAt !== null ? 'deleted' : post.hiddenAt !== null ? 'hidden' : 'visible',
          hiddenReason: post.hiddenReason,
          privacyConfirmed: post.privacyConfirmed ? (JSON.parse(post.privacyConfirmed) as string[]) : null
        }
      : null,
    thread: post
      ? { id: post.threadId, title: post.threadTitle, category: { id: post.categoryId, name: post.categoryName } }
      : null,
    flags: flags.map((f) => ({
      id: f.id,
      reason: f.reason,
      note: f.note,
      createdAt: f.createdAt,
      flagger: { id: f.flaggerId, name: f.flaggerName }
    })),
    context
  };
}

export type DecisionOutcome = 'dismiss' | 'hide' | 'edit' | 'delete' | 'warn';

export interface DecisionInput {
  outcome: DecisionOutcome;
  /** The moderator's reason, for the audit log. */
  note?: string | null;
  /** edit: the new text (and title, for an opening post). */
  body?: string;
  title?: string;
  confirmPrivacy?: boolean;
  /** warn: the words sent to the author. */
  message?: string;
}

/** A moderator's decision on a post (flagged or not): resolves its open flags, audited, published. */
export async function decide(ctx: Ctx, postId: number, input: DecisionInput): Promise<{ outcome: DecisionOutcome }> {
  authorize(ctx.actor, 'discussions.moderate');
  const loaded = readablePost(ctx, postId);
  const { post } = loaded;
  const moderatorId = ctx.actor.id;
  const now = ctx.clock.now();
  const note = input.note?.trim() || null;
  const message = input.message?.trim() || null;
  if (input.outcome === 'edit' && input.body === undefined)
    throw new Invalid('Give the edited text.', { body: 'Required to edit.' });
  if (input.outcome === 'warn' && !message)
    throw new Invalid('Write the warning to send to the author.', { message: 'Required to warn.' });
  if (input.outcome !== 'edit' && (input.body !== undefined || input.title !== undefined)) {
    throw new Invalid('Text is only given with the "edit" outcome.', { body: 'Only for "edit".' });
  }
  if ((input.outcome === 'delete' || input.outcome === 'edit') && post.deletedAt !== null)
    throw new Conflict('This post was deleted.');
  let flaggerIds: number[] = [];
  const audit = (tx: Tx) =>
    recordAudit(tx, ctx, {
      action:
        `moderation.${{ dismiss: 'dismissed', hide: 'hidden', edit: 'edited', delete: 'deleted', warn: 'warned' }[input.outcome]}` as AuditAction,
      targetType: 'post',
      targetId: post.id,
      detail: { threadId: loaded.thread.id, authorId: post.authorId, flaggers: flaggerIds, note, ...(message ? { message } : {}) }
    });
  const resolve = (tx: Tx) => {
    flaggerIds = resolveFlags(tx, post.id, input.outcome, moderatorId, now);
    audit(tx);
  };

  switch (input.outcome) {
    case 'dismiss': {
      const text = post.hiddenReason === 'pii_flag' ? renderStored(ctx.db, post.body).text : null;
      ctx.db.transaction((tx) => {
        if (text !== null) unhideWrites(tx, loaded, text);
        resolve(tx);
      });
      break;
    }
    case 'hide':
      ctx.db.transaction((tx) => {
        hideWrites(tx, post.id, 'moderator', now);
        resolve(tx);
      });
      ctx.bus.publish({ type: 'post.hidden', ...where(loaded), reason: 'moderator' });
      break;
    case 'edit':
      applyEdit(ctx, loaded, { body: input.body!, title: input.title, confirmPrivacy: input.confirmPrivacy }, (tx, composed) => {
        if (post.hiddenAt !== null) unhideWrites(tx, loaded, composed.text);
        resolve(tx);
      });
      ctx.bus.publish({ type: 'post.edited', ...where(loaded), authorId: post.authorId, editorId: moderatorId });
      break;
    case 'delete':
      ctx.db.transaction((tx) => {
        if (post.number === 1) deleteThreadWrites(tx, ctx, loaded);
        else removePostWrites(tx, ctx, loaded, false);
        resolve(tx);
      });
      ctx.bus.publish({ type: 'post.deleted', ...where(loaded), byModerator: true });
      break;
    case 'warn':
      ctx.db.transaction((tx) => resolve(tx));
      break;
  }
  // Answered once the author's and flaggers' notifications are stored.
  await ctx.bus.publish({
    type: 'moderation.outcome',
    ...where(loaded),
    outcome: input.outcome,
    authorId: post.authorId,
    moderatorId,
    flaggerIds,
    message
  });
  return { outcome: input.outcome };
}

export const PURGED_NOTICE = '_This post was removed by a moderator because it contained victim-identifying information._';

export interface PurgeInput {
  /** A redacted version to show instead; the standard notice when absent. */
  replacement?: string | null;
  /** Opening post: a new thread title (the old one is purged with the revisions). */
  title?: string | null;
  confirmPrivacy?: boolean;
}

/**
 * Remove a post's text everywhere it is stored: the post, its revisions, the search index. Posts
 * that quote it are hidden and flagged for review (they may carry the same words). Pending e-mail
 * is the mail subscriber's to drop on post.purged (there is no mail queue yet).
 */
export function purgePost(ctx: Ctx, postId: number, input: PurgeInput): { quotingPostsHidden: number[] } {
  authorize(ctx.actor, 'discussions.moderate');
  const loaded = readablePost(ctx, postId);
  const { post, thread } = loaded;
  if (input.title && post.number !== 1)
    throw new Invalid('Only an opening post carries the thread title.', { title: 'Not an opening post.' });
  const title = input.title ? cleanTitle(input.title) : thread.title;
  const replacement = input.replacement?.trim()
    ? compose(ctx, { body: input.replacement, confirmPrivacy: input.confirmPrivacy })
    : { body: PURGED_NOTICE, ...renderStored(ctx.db, PURGED_NOTICE) };
  const moderatorId = ctx.actor.id;
  const now = ctx.clock.now();
  let flaggerIds: number[] = [];
  const quoting = all<{ id: number; threadId: number; categoryId: number; hiddenAt: number | null }>(
    ctx.db,
    `SELECT p.id, p.thread_id AS threadId, t.category_id AS categoryId, p.hidden_at AS hiddenAt
     FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.quote_post_id = @postId AND p.deleted_at IS NULL`,
    { postId }
  );
  ctx.db.transaction((tx) => {
    run(
      tx,
      `UPDATE posts SET body = @body, body_html = @html, purged_at = @now, hidden_at = NULL, hidden_reason = NULL,
         privacy_confirmed = NULL WHERE id = @postId`,
      { body: replacement.body, html: replacement.html, now, postId }
    );
    run(tx, 'DELETE FROM post_revisions WHERE post_id = @postId', { postId });
    if (post.number === 1 && title !== thread.title)
      run(tx, 'UPDATE threads SET title = @title WHERE id = @id', { title, id: thread.id });
    unindexPost(tx, postId);
    if (post.deletedAt === null && thread.deletedAt === null)
      indexPost(tx, postId, post.number === 1 ? title : '', replacement.text);
    for (const q of quoting) {
      if (q.hiddenAt === null) hideWrites(tx, q.id, 'pii_flag', now);
      run(
        tx,
        `INSERT INTO post_flags (post_id, flagger_id, reason, note, created_at) VALUES (@id, @moderatorId, 'pii', @note, @now)
         ON CONFLICT DO NOTHING`,
        { id: q.id, moderatorId, note: 'Quotes a post that was purged for victim-identifying information.', now }
      );
    }
    flaggerIds = resolveFlags(tx, postId, 'purge', moderatorId, now);
    recordAudit(tx, ctx, {
      action: 'post.purged',
      targetType: 'post',
      targetId: postId,
      detail: { threadId: thread.id, authorId: post.authorId, flaggers: flaggerIds, quotingPostsHidden: quoting.map((q) => q.id) }
    });
  });
  ctx.bus.publish({ type: 'post.purged', ...where(loaded) });
  for (const q of quoting)
    ctx.bus.publish({ type: 'post.hidden', postId: q.id, threadId: q.threadId, categoryId: q.categoryId, reason: 'pii_flag' });
  ctx.bus.publish({
    type: 'moderation.outcome',
    ...where(loaded),
    outcome: 'purge',
    authorId: post.authorId,
    moderatorId,
    flaggerIds,
    message: null
  });
  return { quotingPostsHidden: quoting.map((q) => q.id) };
}
