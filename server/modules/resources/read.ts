import type { Discipline, ResourceType } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { readerParams } from '../../policies/discussions.ts';
import { READABLE_RESOURCE_SQL } from '../../policies/resources.ts';
import { MINUTE } from '../../shared/clock.ts';
import { endOfDayUtc } from '../../shared/dates.ts';
import { Forbidden, Invalid, TooManyRequests } from '../../shared/errors.ts';
import { all, get } from '../discussions/sql.ts';
import { toFtsQuery } from '../search/query.ts';
import { markedHtml } from '../search/service.ts';
import { readableResource, VERSION_COLUMNS, type VersionRow } from './access.ts';
import { currentDownloadUrl, presentSummaries, versionDownloadUrl } from './present.ts';
import { normaliseTag } from './tags.ts';

export const SORTS = ['newest', 'downloads', 'recommended'] as const;
export type ResourceSort = (typeof SORTS)[number];

export interface ResourceListQuery {
  q?: string;
  type?: ResourceType;
  tag?: string;
  /** Task force of origin. */
  taskForceId?: number;
  /** The author's discipline, or a private resource's audience discipline. */
  discipline?: Discipline;
  from?: string;
  to?: string;
  sort?: ResourceSort;
  after?: string;
  limit?: number;
  /** Moderators: deleted resources instead. */
  view?: 'active' | 'deleted';
}

const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';

interface Cursor {
  count: number;
  id: number;
}

function cursorOf(after: string | undefined, sort: ResourceSort): Cursor | null {
  if (after === undefined) return null;
  const match = sort === 'newest' ? /^(\d{1,12})$/.exec(after) : /^(\d{1,12})\.(\d{1,12})$/.exec(after);
  if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
  return sort === 'newest' ? { count: 0, id: Number(match[1]) } : { count: Number(match[1]), id: Number(match[2]) };
}

const COUNT_COLUMN: Record<Exclude<ResourceSort, 'newest'>, string> = {
  downloads: 'r.download_count',
  recommended: 'r.recommend_count'
};

function dateRange(query: ResourceListQuery): { fromAt: number | null; toAt: number | null } {
  const fromAt = query.from ? endOfDayUtc(query.from, 'from') - 86_400_000 + 1 : null;
  const toAt = query.to ? endOfDayUtc(query.to, 'to') : null;
  if (fromAt !== null && toAt !== null && fromAt > toAt) {
    throw new Invalid('The start date is after the end date.', { from: 'Must be on or before the end date.' });
  }
  return { fromAt, toAt };
}

/** The visibility rule plus the member's filters, as one WHERE over resources `r`. */
function whereFor(query: ResourceListQuery, deleted: boolean, dates: { fromAt: number | null; toAt: number | null }): string {
  return [
    READABLE_RESOURCE_SQL,
    deleted ? 'r.deleted_at IS NOT NULL' : 'r.deleted_at IS NULL',
    query.type ? 'r.type = @type' : '',
    query.tag !== undefined ? 'EXISTS (SELECT 1 FROM resource_tags ft WHERE ft.resource_id = r.id AND ft.tag = @tag)' : '',
    query.taskForceId ? 'r.origin_task_force_id = @taskForceId' : '',
    query.discipline
      ? `(EXISTS (SELECT 1 FROM members fa WHERE fa.id = r.author_id AND fa.discipline = @discipline)
          OR EXISTS (SELECT 1 FROM category_disciplines fd WHERE fd.category_id = r.category_id AND fd.discipline = @discipline))`
      : '',
    dates.fromAt !== null ? 'r.created_at >= @fromAt' : '',
    dates.toAt !== null ? 'r.created_at <= @toAt' : ''
  ]
    .filter(Boolean)
    .join(' AND ');
}

/** Browse and search: only what the reader may see, keyset pages (no OFFSET). */
export function listResources(ctx: Ctx, query: ResourceListQuery) {
  authorize(ctx.actor, 'resources.use');
  const deleted = query.view === 'deleted';
  if (deleted && !can(ctx.actor, 'discussions.moderate')) throw new Forbidden('Only moderators can list deleted resources.');
  const sort = query.sort ?? 'newest';
  const limit = query.limit ?? 20;
  const cursor = cursorOf(query.after, sort);
  const dates = dateRange(query);
  const parsed = query.q !== undefined ? toFtsQuery(query.q) : null;
  if (parsed && parsed.match === null)
    throw new Invalid('Type at least one word to search for.', { q: 'Type a word to search for.' });
  if (parsed) {
    const wait = ctx.limiter.hit(`resource-search:${ctx.actor.id}`, [{ limit: 30, windowMs: MINUTE }], ctx.clock.now());
    if (wait > 0) throw new TooManyRequests(`You are searching very quickly: try again in ${wait} seconds.`, wait);
  }
  const params = {
    ...readerParams(ctx.actor),
    type: query.type ?? null,
    tag: query.tag !== undefined ? normaliseTag(query.tag) : null,
    taskForceId: query.taskForceId ?? null,
    discipline: query.discipline ?? null,
    fromAt: dates.fromAt,
    toAt: dates.toAt,
    q: parsed?.match ?? null,
    afterId: cursor?.id ?? null,
    afterCount: cursor?.count ?? null,
    limit: limit + 1
  };
  const where = whereFor(query, deleted, dates);
  let sql: string;
  if (sort === 'newest') {
    // Newest = highest id (ids follow sharing order): FTS5 walks its index by rowid, so a search
    // stops as soon as a page is full instead of sorting every match.
    sql = parsed
      ? `SELECT r.id FROM resource_search s JOIN resources r ON r.id = s.rowid
         WHERE resource_search MATCH @q AND ${where} ${cursor ? 'AND s.rowid < CAST(@afterId AS INTEGER)' : ''}
         ORDER BY s.rowid DESC LIMIT @limit`
      : `SELECT r.id FROM resources r WHERE ${where} ${cursor ? 'AND r.id < @afterId' : ''} ORDER BY r.id DESC LIMIT @limit`;
  } else {
    const column = COUNT_COLUMN[sort];
    sql = `SELECT r.id FROM resources r WHERE ${where}
      ${parsed ? 'AND r.id IN (SELECT rowid FROM resource_search WHERE resource_search MATCH @q)' : ''}
      ${cursor ? `AND (${column} < @afterCount OR (${column} = @afterCount AND r.id < @afterId))` : ''}
      ORDER BY ${column} DESC, r.id DESC LIMIT @limit`;
  }
  const ids = all<{ id: number }>(ctx.db, sql, params).map((r) => r.id);
  const shown = ids.slice(0, limit);
  const snippets = parsed ? snippetsFor(ctx, parsed.match!, shown) : new Map<number, string>();
  const resources = presentSummaries(ctx.db, shown, ctx.actor.id, snippets);
  const last = resources[resources.length - 1];
  const next =
    ids.length > limit && last
      ? sort === 'newest'
        ? String(last.id)
        : `${sort === 'downloads' ? last.downloadCount : last.recommendCount}.${last.id}`
      : null;
  return { resources, next };
}

function snippetsFor(ctx: Ctx, match: string, ids: readonly number[]): Map<number, string> {
  const snippets = new Map<number, string>();
  for (const id of ids) {
    const row = get<{ snippet: string }>(
      ctx.db,
      `SELECT snippet(resource_search, -1, @open, @close, '…', 24) AS snippet
       FROM resource_search WHERE resource_search MATCH @q AND rowid = CAST(@id AS INTEGER)`,
      { q: match, open: MARK_OPEN, close: MARK_CLOSE, id }
    );
    if (row) snippets.set(id, markedHtml(row.snippet));
  }
  return snippets;
}

/**
 * For the global search page: the best few resources for an FTS query the search service already
 * parsed, ranked (bm25, title first) among the newest 2,000 matches the reader may see.
 */
export function searchResourcesForGlobal(ctx: Ctx, match: string, limit = 5) {
  const params = { q: match, ...readerParams(ctx.actor) };
  const visible = `${READABLE_RESOURCE_SQL} AND r.deleted_at IS NULL`;
  const cutoff =
    get<{ id: number }>(
      ctx.db,
      `SELECT s.rowid AS id FROM resource_search s JOIN resources r ON r.id = s.rowid
       WHERE resource_search MATCH @q AND ${visible} ORDER BY s.rowid DESC LIMIT 1 OFFSET 1999`,
      params
    )?.id ?? 0;
  const ids = all<{ id: number }>(
    ctx.db,
    `SELECT s.rowid AS id FROM resource_search s JOIN resources r ON r.id = s.rowid
     WHERE resource_search MATCH @q AND s.rowid >= CAST(@cutoff AS INTEGER) AND ${visible}
     ORDER BY s.rank LIMIT @limit`,
    { ...params, cutoff, limit }
  ).map((r) => r.id);
  return presentSummaries(ctx.db, ids, ctx.actor!.id, snippetsFor(ctx, match, ids));
}

/** One resource with everything its page shows. */
export function getResource(ctx: Ctx, resourceId: number) {
  authorize(ctx.actor, 'resources.use');
  const { resource, state } = readableResource(ctx, resourceId);
  const [summary] = presentSummaries(ctx.db, [resourceId], ctx.actor.id);
  const seesOld = can(ctx.actor, 'resource.readOldVersions', state);
  const versions = all<VersionRow>(
    ctx.db,
    `SELECT ${VERSION_COLUMNS} FROM resource_versions v JOIN members vm ON vm.id = v.uploaded_by
     WHERE v.resource_id = @resourceId ORDER BY v.number DESC`,
    { resourceId }
  ).map((v) => {
    const current = v.id === resource.currentVersionId;
    return {
      versionId: v.id,
      number: v.number,
      fileName: v.fileName,
      size: v.size,
      mimeType: v.mimeType,
      typeLabel: v.typeLabel,
      sha256: v.sha256,
      uploadedAt: v.createdAt,
      uploadedBy: { id: v.uploadedBy, name: v.uploadedByName },
      downloadUrl: current ? currentDownloadUrl(resourceId) : versionDownloadUrl(v.id),
      current,
      downloadable: current || seesOld,
      extraction: v.extractionState
    };
  });
  const reports = can(ctx.actor, 'resource.seeReports', state)
    ? (get<{ n: number }>(
        ctx.db,
        'SELECT count(*) AS n FROM resource_link_reports WHERE resource_id = @resourceId AND resolved_at IS NULL',
        {
          resourceId
        }
      )?.n ?? 0)
    : 0;
  return {
    ...summary!,
    description: resource.description,
    /** Sanitized when saved: the only member text a page may insert as HTML. */
    descriptionHtml: resource.descriptionHtml,
    threadId: resource.threadId,
    versions,
    extraction: versions.find((v) => v.current)?.extraction ?? 'none',
    brokenLinkReports: reports,
    can: {
      edit: can(ctx.actor, 'resource.edit', state),
      delete: can(ctx.actor, 'resource.delete', state),
      restore: can(ctx.actor, 'resource.restore', state),
      addVersion: can(ctx.actor, 'resource.addVersion', state),
      reportBrokenLink: can(ctx.actor, 'resource.reportLink', state),
      recommend: can(ctx.actor, 'resource.recommend', state)
    }
  };
}
