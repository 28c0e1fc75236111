import type { Ctx } from '../../context.ts';
import { can } from '../../policies/index.ts';
import { canReadResource } from '../../policies/resources.ts';
import { decidesFor, writesSpotlights } from '../../policies/spotlights.ts';
import { all, get } from '../discussions/sql.ts';
import { displayNameOf } from '../directory/names.ts';
import { firstImageUrl, KIND_LABELS } from './input.ts';
import { consentInPlace, deciders, stateOf, statusOf, type SpotlightRow } from './store.ts';

/** Rows → the API's shapes (contract: /work/briefs/s4/spotlights-api.md). */

interface ResourceRow {
  id: number;
  title: string;
  authorId: number;
  kind: 'file' | 'link';
  isPrivate: number;
  deletedAt: number | null;
}

function featuredOf(ctx: Ctx, row: SpotlightRow) {
  let member: { id: number; displayName: string } | null = null;
  if (row.featuredMemberId !== null) {
    const displayName = displayNameOf(ctx.db, ctx.actor, row.featuredMemberId);
    if (displayName !== null) member = { id: row.featuredMemberId, displayName };
  }
  const taskForce =
    row.featuredTaskForceId !== null
      ? (get<{ id: number; name: string }>(ctx.db, 'SELECT id, name FROM task_forces WHERE id = @id', {
          id: row.featuredTaskForceId
        }) ?? null)
      : null;
  let resource: { id: number; title: string } | null = null;
  if (row.featuredResourceId !== null) {
    const r = get<ResourceRow>(
      ctx.db,
      `SELECT r.id, r.title, r.author_id AS authorId, r.kind, c.is_private AS isPrivate, r.deleted_at AS deletedAt
       FROM resources r JOIN categories c ON c.id = r.category_id WHERE r.id = @id`,
      { id: row.featuredResourceId }
    );
    // A resource made private later is named only to those who may still open it (the resource rule).
    if (r && r.isPrivate === 0 && canReadResource(ctx.actor, { ...r, audience: publicAudience, deletedAt: r.deletedAt })) {
      resource = { id: r.id, title: r.title };
    }
  }
  const partner = row.partnerName !== null ? { name: row.partnerName, url: row.partnerUrl } : null;
  return { member, taskForce, resource, partner };
}

const publicAudience = { isPrivate: false, taskForceIds: [], disciplines: [] };

export function presentSummary(ctx: Ctx, row: SpotlightRow, snippetHtml: string | null = null) {
  return {
    id: row.id,
    kind: row.kind,
    kindLabel: KIND_LABELS[row.kind],
    title: row.title,
    summary: row.summary,
    week: row.week,
    publishAt: row.publishAt,
    publishedAt: row.publishedAt,
    status: statusOf(row, ctx.clock.now(), ctx.config.spotlight),
    featured: featuredOf(ctx, row),
    imageUrl: firstImageUrl(row.bodyHtml),
    snippetHtml
  };
}

interface HistoryRow {
  decision: 'requested' | 'approved' | 'changes_requested' | 'declined';
  revision: number;
  comment: string | null;
  memberId: number;
  memberName: string;
  createdAt: number;
}

export function presentSpotlight(ctx: Ctx, row: SpotlightRow) {
  const state = stateOf(row);
  const writer = writesSpotlights(ctx.actor);
  const decider = decidesFor(ctx.actor, state);
  const insider = writer || decider;
  const author = get<{ id: number; name: string }>(ctx.db, 'SELECT id, name FROM members WHERE id = @id', {
    id: row.authorId
  }) ?? { id: row.authorId, name: 'A member' };
  const history = insider
    ? all<HistoryRow>(
        ctx.db,
        `SELECT c.decision, c.revision, c.comment, c.member_id AS memberId, m.name AS memberName, c.created_at AS createdAt
         FROM spotlight_consents c JOIN members m ON m.id = c.member_id
         WHERE c.spotlight_id = @id ORDER BY c.id DESC LIMIT 100`,
        { id: row.id }
      ).map((h) => ({
        decision: h.decision,
        revision: h.revision,
        comment: h.comment,
        member: { id: h.memberId, name: h.memberName },
        createdAt: h.createdAt
      }))
    : [];
  return {
    ...presentSummary(ctx, row),
    /** The zone the slot's publish time is read in (SPOTLIGHT_TIME_ZONE): pages show times there. */
    timeZone: ctx.config.spotlight.timeZone,
    body: writer ? row.body : '',
    bodyHtml: row.bodyHtml,
    revision: row.revision,
    threadId: row.threadId,
    author,
    deleted: row.deletedAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    consent: {
      state: row.consentState,
      revision: row.consentRevision,
      inPlace: consentInPlace(row),
      deciders: insider ? deciders(ctx.db, row) : [],
      history
    },
    can: {
      edit: can(ctx.actor, 'spotlight.edit', state),
      delete: can(ctx.actor, 'spotlight.delete', state),
      schedule: can(ctx.actor, 'spotlight.schedule', state),
      decide: can(ctx.actor, 'spotlight.decide', state)
    }
  };
}

export type PresentedSpotlight = ReturnType<typeof presentSpotlight>;
