import type { Reaction } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { Invalid } from '../../shared/errors.ts';
import type { PostState } from '../../policies/discussions.ts';
import { POST_COLUMNS, readablePost, readableThread, type LoadedThread, type PostRow } from './access.ts';
import { all, get, idList } from './sql.ts';
import { attachedHome } from './attached.ts';

export const PAGE_SIZE = 20;

/** A page never shows the Markdown source: leaving p.body out keeps a page's reads to the rendered HTML. */
type PageRow = Omit<PostRow, 'body'> & { authorName: string };
const PAGE_COLUMNS = POST_COLUMNS.replace('p.body, ', '');

interface PageExtras {
  reactions: Map<number, { kind: Reaction; count: number; reacted: boolean }[]>;
  bookmarked: Set<number>;
  quotes: Map<number, { postId: number; number: number; threadId: number; authorName: string }>;
}

function extrasFor(ctx: Ctx, rows: Pick<PostRow, 'id' | 'quotePostId'>[]): PageExtras {
  const ids = idList(rows.map((r) => r.id));
  const me = ctx.actor!.id;
  const reactions = new Map<number, { kind: Reaction; count: number; reacted: boolean }[]>();
  for (const r of all<{ postId: number; kind: Reaction; n: number; mine: number }>(
    ctx.db,
    `SELECT post_id AS postId, kind, count(*) AS n, max(member_id = @me) AS mine FROM post_reactions
     WHERE post_id IN (SELECT value FROM json_each(@ids)) GROUP BY post_id, kind ORDER BY post_id, kind`,
    { ids, me }
  )) {
    const list = reactions.get(r.postId) ?? [];
    list.push({ kind: r.kind, count: r.n, reacted: r.mine === 1 });
    reactions.set(r.postId, list);
  }
  const bookmarked = new Set(
    all<{ postId: number }>(
      ctx.db,
      'SELECT post_id AS postId FROM bookmarks WHERE member_id = @me AND post_id IN (SELECT value FROM json_each(@ids))',
      { ids, me }
    ).map((r) => r.postId)
  );
  const quoteIds = rows.map((r) => r.quotePostId).filter((id): id is number => id !== null);
  const quotes = new Map(
    (quoteIds.length === 0
      ? []
      : all<{ postId: number; number: number; threadId: number; authorName: string }>(
          ctx.db,
          `SELECT p.id AS postId, p.number, p.thread_id AS threadId, m.name AS authorName FROM posts p JOIN members m ON m.id = p.author_id
           WHERE p.id IN (SELECT value FROM json_each(@ids))`,
          { ids: idList(quoteIds) }
        )
    ).map((q) => [q.postId, q])
  );
  return { reactions, bookmarked, quotes };
}

/** A post as a reader sees it: deleted and hidden posts keep their place but not their text. */
export function presentPost(
  ctx: Ctx,
  loaded: LoadedThread,
  row: Omit<PostRow, 'body'> & { authorName: string },
  extras: PageExtras
) {
  // What postState(…) gives, built from the fields a page row has (it carries no Markdown source).
  const state: PostState = { authorId: row.authorId, deletedAt: row.deletedAt, hiddenAt: row.hiddenAt, thread: loaded.state };
  const moderator = can(ctx.actor, 'discussions.moderate');
  const own = row.authorId === ctx.actor!.id;
  const status = row.deletedAt !== null ? 'deleted' : row.hiddenAt !== null ? 'hidden' : 'visible';
  const showText = status === 'visible' || moderator || (status === 'hidden' && own);
  return {
    id: row.id,
    number: row.number,
    author: { id: row.authorId, name: row.authorName },
    createdAt: row.createdAt,
    editedAt: row.editedAt,
    status,
    hiddenReason: status === 'hidden' ? row.hiddenReason : null,
    purged: row.purgedAt !== null,
    /** Sanitized when saved: the only member text a page may insert as HTML. */
    html: showText ? row.bodyHtml : null,
    quote: row.quotePostId === null ? null : (extras.quotes.get(row.quotePostId) ?? null),
    reactions: extras.reactions.get(row.id) ?? [],
    bookmarked: extras.bookmarked.has(row.id),
    /** Kinds of personal data the author confirmed past the privacy check (moderators only). */
    privacyConfirmed: moderator && row.privacyConfirmed ? (JSON.parse(row.privacyConfirmed) as string[]) : null,
    can: {
      edit: can(ctx.actor, 'post.edit', state),
      delete: can(ctx.actor, 'post.delete', state) && row.number !== 1,
      react: can(ctx.actor, 'post.react', state),
      flag: can(ctx.actor, 'post.flag', state),
      viewRevisions: row.editCount > 0 && can(ctx.actor, 'post.viewRevisions', state)
    }
  };
}

export interface ThreadPageQuery {
  /** First post number of the page. */
  from?: number;
  /** The page that ends just before this post number. */
  before?: number;
  /** Start at the member's first unread post. */
  unread?: boolean;
  limit?: number;
}

/** A thread and one page of its posts, with the member's reading state (reading it changes nothing: see markRead). */
export function getThreadPage(ctx: Ctx, threadId: number, query: ThreadPageQuery) {
  authorize(ctx.actor, 'discussions.use');
  if (query.before !== undefined && (query.from !== undefined || query.unread)) {
    throw new Invalid('Ask for a page "from" a post or "before" one, not both.');
  }
  const loaded = readableThread(ctx, threadId);
  const { thread, category } = loaded;
  const me = ctx.actor.id;
  const limit = query.limit ?? PAGE_SIZE;
  const read = get<{ n: number }>(
    ctx.db,
    'SELECT last_read_number AS n FROM thread_reads WHERE member_id = @me AND thread_id = @threadId',
    { me, threadId }
  );
  const lastRead = read?.n ?? 0;
  const firstUnread = lastRead < thread.lastPostNumber ? lastRead + 1 : null;
  const level =
    get<{ level: string }>(ctx.db, 'SELECT level FROM thread_subscriptions WHERE member_id = @me AND thread_id = @threadId', {
      me,
      threadId
    })?.level ?? 'normal';

  let rows: PageRow[];
  if (query.before !== undefined) {
    rows = all<PageRow>(
      ctx.db,
      `SELECT ${PAGE_COLUMNS}, m.name AS authorName FROM posts p JOIN members m ON m.id = p.author_id
       WHERE p.thread_id = @threadId AND p.number < @before ORDER BY p.number DESC LIMIT @limit`,
      { threadId, before: query.before, limit }
    ).reverse();
  } else {
    const from = query.unread ? (firstUnread ?? Math.max(1, thread.lastPostNumber - limit + 1)) : (query.from ?? 1);
    rows = all<PageRow>(
      ctx.db,
      `SELECT ${PAGE_COLUMNS}, m.name AS authorName FROM posts p JOIN members m ON m.id = p.author_id
       WHERE p.thread_id = @threadId AND p.number >= @from ORDER BY p.number LIMIT @limit`,
      { threadId, from, limit }
    );
  }
  const extras = extrasFor(ctx, rows);
  const first = rows[0];
  const last = rows[rows.length - 1];
  const moderator = can(ctx.actor, 'discussions.moderate');
  return {
    thread: {
      id: thread.id,
      title: thread.title,
      category: { id: category.id, name: category.name, colour: category.colour, isPrivate: category.isPrivate },
      /** The page comments hang on (a resource, spotlight, suggestion), or null for a discussion thread. */
      home: attachedHome(ctx.db, category.attachedKind, thread.id),
      authorId: thread.authorId,
      createdAt: thread.createdAt,
      lastPostAt: thread.lastPostAt,
      postCount: thread.postCount,
      lastPostNumber: thread.lastPostNumber,
      pinned:
        thread.pinScope !== null && (thread.pinnedUntil === null || thread.pinnedUntil > ctx.clock.now())
          ? { scope: thread.pinScope, until: thread.pinnedUntil }
          : null,
      locked: thread.lockedAt !== null,
      closed: thread.closedAt !== null,
      deleted: thread.deletedAt !== null,
      notificationLevel: level,
      can: { reply: can(ctx.actor, 'thread.reply', loaded.state), moderate: moderator }
    },
    reading: { lastReadNumber: lastRead, firstUnreadNumber: firstUnread },
    posts: rows.map((row) => presentPost(ctx, loaded, row, extras)),
    page: {
      /** Ask with before=… for the previous page, from=… for the next; null at either end. */
      before: first && first.number > 1 ? first.number : null,
      from: last && last.number < thread.lastPostNumber ? last.number + 1 : null
    }
  };
}

/** One post (permalink, quoting, the edit form: the Markdown source goes to its author and to moderators). */
export function getPost(ctx: Ctx, postId: number) {
  authorize(ctx.actor, 'discussions.use');
  const loaded = readablePost(ctx, postId);
  const { post, thread } = loaded;
  const author = get<{ name: string }>(ctx.db, 'SELECT name FROM members WHERE id = @id', { id: post.authorId });
  const presented = presentPost(ctx, loaded, { ...post, authorName: author?.name ?? '' }, extrasFor(ctx, [post]));
  const mayEditSource = can(ctx.actor, 'post.edit', loaded.postState) || can(ctx.actor, 'discussions.moderate');
  return {
    post: presented,
    thread: {
      id: thread.id,
      title: thread.title,
      categoryId: thread.categoryId,
      firstPostId: thread.firstPostId,
      home: attachedHome(ctx.db, loaded.category.attachedKind, thread.id)
    },
    /** Which page holds it: ask the thread for from=pageFrom. */
    pageFrom: Math.floor((post.number - 1) / PAGE_SIZE) * PAGE_SIZE + 1,
    source: mayEditSource && post.purgedAt === null ? post.body : null
  };
}
