import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { MINUTE } from '../../shared/clock.ts';
import { Invalid, TooManyRequests } from '../../shared/errors.ts';
import { all, get } from '../discussions/sql.ts';
import { toFtsQuery } from '../search/query.ts';
import { markedHtml } from '../search/service.ts';
import { KIND_LABELS, renderBody } from './input.ts';
import { presentSpotlight, presentSummary } from './present.ts';
import { COLUMNS, readableSpotlight, statusOf, type SpotlightRow } from './store.ts';
import { addWeeks, mondayOf, publishAtOf, weekContaining } from './week.ts';
import type { SpotlightKind } from '../../../db/schema/index.ts';

const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';
const CALENDAR_WEEKS = 12;

/** Published, not withdrawn, its moment come: what members may read (over spotlights alias `s`). */
const PUBLIC_SQL = 's.published_at IS NOT NULL AND s.deleted_at IS NULL AND s.publish_at <= @now';

/** The home page's spotlight: the newest published whose moment has come. */
export function currentSpotlight(ctx: Ctx) {
  authorize(ctx.actor, 'spotlights.use');
  const row = get<SpotlightRow>(
    ctx.db,
    `SELECT ${COLUMNS} FROM spotlights s WHERE ${PUBLIC_SQL} ORDER BY s.publish_at DESC, s.id DESC LIMIT 1`,
    { now: ctx.clock.now() }
  );
  return { spotlight: row ? presentSpotlight(ctx, row) : null };
}

export interface ArchiveQuery {
  q?: string;
  kind?: SpotlightKind;
  after?: string;
  limit?: number;
}

function cursorOf(after: string | undefined): { publishAt: number; id: number } | null {
  if (after === undefined) return null;
  const match = /^(\d{1,15})\.(\d{1,12})$/.exec(after);
  if (!match) throw new Invalid('The page link is not valid.', { after: 'Not a page cursor.' });
  return { publishAt: Number(match[1]), id: Number(match[2]) };
}

/** The archive: published only, newest week first, keyset pages; q searches title, summary and body. */
export function listSpotlights(ctx: Ctx, query: ArchiveQuery) {
  authorize(ctx.actor, 'spotlights.use');
  const limit = query.limit ?? 20;
  const cursor = cursorOf(query.after);
  const parsed = query.q !== undefined ? toFtsQuery(query.q) : null;
  if (parsed && parsed.match === null)
    throw new Invalid('Type at least one word to search for.', { q: 'Type a word to search for.' });
  if (parsed) {
    const wait = ctx.limiter.hit(`spotlight-search:${ctx.actor.id}`, [{ limit: 30, windowMs: MINUTE }], ctx.clock.now());
    if (wait > 0) throw new TooManyRequests(`You are searching very quickly: try again in ${wait} seconds.`, wait);
  }
  const where = [
    PUBLIC_SQL,
    query.kind ? 's.kind = @kind' : '',
    parsed ? 's.id IN (SELECT rowid FROM spotlight_search WHERE spotlight_search MATCH @q)' : '',
    cursor ? '(s.publish_at < @afterAt OR (s.publish_at = @afterAt AND s.id < @afterId))' : ''
  ]
    .filter(Boolean)
    .join(' AND ');
  const rows = all<SpotlightRow>(
    ctx.db,
    `SELECT ${COLUMNS} FROM spotlights s WHERE ${where} ORDER BY s.publish_at DESC, s.id DESC LIMIT @limit`,
    {
      now: ctx.clock.now(),
      kind: query.kind ?? null,
      q: parsed?.match ?? null,
      afterAt: cursor?.publishAt ?? null,
      afterId: cursor?.id ?? null,
      limit: limit + 1
    }
  );
  const shown = rows.slice(0, limit);
  const spotlights = shown.map((row) => presentSummary(ctx, row, parsed ? snippetOf(ctx, parsed.match!, row.id) : null));
  const last = shown[shown.length - 1];
  return { spotlights, next: rows.length > limit && last ? `${last.publishAt}.${last.id}` : null };
}

function snippetOf(ctx: Ctx, match: string, id: number): string | null {
  const row = get<{ snippet: string }>(
    ctx.db,
    `SELECT snippet(spotlight_search, -1, @open, @close, '…', 24) AS snippet
     FROM spotlight_search WHERE spotlight_search MATCH @q AND rowid = CAST(@id AS INTEGER)`,
    { q: match, open: MARK_OPEN, close: MARK_CLOSE, id }
  );
  return row ? markedHtml(row.snippet) : null;
}

export function getSpotlight(ctx: Ctx, id: number) {
  authorize(ctx.actor, 'spotlights.use');
  return presentSpotlight(ctx, readableSpotlight(ctx, id));
}

/** The editors' calendar: the next 12 weekly slots (occupied or empty) and the drafts not yet placed. */
export function calendar(ctx: Ctx, from?: string) {
  authorize(ctx.actor, 'spotlights.write');
  const now = ctx.clock.now();
  const first = from !== undefined ? mondayOf(from) : weekContaining(now, ctx.config.spotlight);
  const weeks = Array.from({ length: CALENDAR_WEEKS }, (_, i) => addWeeks(first, i));
  const rows = all<SpotlightRow>(
    ctx.db,
    `SELECT ${COLUMNS} FROM spotlights s WHERE s.deleted_at IS NULL AND s.week >= @first AND s.week <= @last`,
    { first: weeks[0], last: weeks[weeks.length - 1] }
  );
  const byWeek = new Map(rows.map((r) => [r.week!, r]));
  const slot = (row: SpotlightRow) => ({
    id: row.id,
    title: row.title,
    kind: row.kind,
    kindLabel: KIND_LABELS[row.kind],
    status: statusOf(row, now, ctx.config.spotlight),
    consentState: row.consentState
  });
  const drafts = all<SpotlightRow>(
    ctx.db,
    `SELECT ${COLUMNS} FROM spotlights s WHERE s.deleted_at IS NULL AND s.published_at IS NULL
       AND (s.week IS NULL OR s.publish_at <= @now) ORDER BY s.updated_at DESC, s.id DESC LIMIT 200`,
    { now }
  ).filter((row) => row.week === null || statusOf(row, now, ctx.config.spotlight) === 'missed');
  return {
    timeZone: ctx.config.spotlight.timeZone,
    weeks: weeks.map((week) => {
      const row = byWeek.get(week);
      return { week, publishAt: publishAtOf(week, ctx.config.spotlight), spotlight: row ? slot(row) : null };
    }),
    drafts: drafts.map((row) => ({ ...presentSummary(ctx, row), consentState: row.consentState }))
  };
}

/** Rendered exactly as it will be saved (images included), for the editor's preview. */
export function previewSpotlight(ctx: Ctx, body: string): { html: string } {
  authorize(ctx.actor, 'spotlights.write');
  return { html: renderBody(ctx, body).html };
}

/** Active members by name, for choosing who a member spotlight features (editors see real names). */
export function memberOptions(ctx: Ctx, query: { q?: string; limit?: number }) {
  authorize(ctx.actor, 'spotlights.write');
  const q = (query.q ?? '').trim().toLowerCase();
  if (q === '') return { members: [] };
  const escaped = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const members = all<{ id: number; name: string; taskForceName: string | null }>(
    ctx.db,
    `SELECT m.id, m.name, tf.name AS taskForceName FROM members m LEFT JOIN task_forces tf ON tf.id = m.task_force_id
     WHERE m.status = 'active' AND m.notice_accepted_at IS NOT NULL AND lower(m.name) LIKE @pattern ESCAPE '\\'
     ORDER BY m.name, m.id LIMIT @limit`,
    { pattern: `%${escaped}%`, limit: query.limit ?? 10 }
  );
  return { members };
}
