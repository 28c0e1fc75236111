import type { DbOrTx } from '../../../db/client.ts';
import type { ConsentState, SpotlightKind } from '../../../db/schema/index.ts';
import type { SpotlightConfig } from '../../config.ts';
import type { Ctx } from '../../context.ts';
import { can } from '../../policies/index.ts';
import { CONSENT_KINDS, DECIDER_MEMBERS_SQL, type SpotlightState } from '../../policies/spotlights.ts';
import { NotFound } from '../../shared/errors.ts';
import { recordAudit, type AuditAction } from '../audit/record.ts';
import { all, get } from '../discussions/sql.ts';
import type { SpotlightFields } from './input.ts';
import { slotEndOf } from './week.ts';

/** SQL over the spotlights tables: loading one, its deciders, its state in words. */

export interface SpotlightRow extends SpotlightFields {
  id: number;
  week: string | null;
  publishAt: number | null;
  revision: number;
  consentState: ConsentState;
  consentRevision: number | null;
  publishedAt: number | null;
  categoryId: number | null;
  threadId: number | null;
  authorId: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export const COLUMNS = `s.id, s.kind, s.title, s.summary, s.body, s.body_html AS bodyHtml, s.body_text AS bodyText,
  s.featured_member_id AS featuredMemberId, s.featured_task_force_id AS featuredTaskForceId,
  s.featured_resource_id AS featuredResourceId, s.partner_name AS partnerName, s.partner_url AS partnerUrl,
  s.week, s.publish_at AS publishAt, s.revision, s.consent_state AS consentState, s.consent_revision AS consentRevision,
  s.published_at AS publishedAt, s.category_id AS categoryId, s.thread_id AS threadId, s.author_id AS authorId,
  s.created_at AS createdAt, s.updated_at AS updatedAt, s.deleted_at AS deletedAt`;

export const NOT_FOUND = 'That spotlight was not found, or you do not have access to it.';

export function loadSpotlight(db: DbOrTx, id: number): SpotlightRow | undefined {
  return get<SpotlightRow>(db, `SELECT ${COLUMNS} FROM spotlights s WHERE s.id = @id`, { id });
}

export function stateOf(row: SpotlightRow): SpotlightState {
  return {
    kind: row.kind,
    featuredMemberId: row.featuredMemberId,
    featuredTaskForceId: row.featuredTaskForceId,
    publishedAt: row.publishedAt,
    deletedAt: row.deletedAt
  };
}

/** The spotlight if the actor may read it; 404 otherwise (its existence is not revealed). */
export function readableSpotlight(ctx: Ctx, id: number): SpotlightRow {
  const row = loadSpotlight(ctx.db, id);
  if (!row || !can(ctx.actor, 'spotlight.read', stateOf(row))) throw new NotFound(NOT_FOUND);
  return row;
}

export const needsConsent = (kind: SpotlightKind) => CONSENT_KINDS.includes(kind);

/** May it run: no one to ask, or approved — for the text as it is now (the revision), nothing older. */
export function consentInPlace(row: Pick<SpotlightRow, 'kind' | 'consentState' | 'consentRevision' | 'revision'>): boolean {
  if (!needsConsent(row.kind)) return true;
  return row.consentState === 'approved' && row.consentRevision === row.revision;
}

export const STATUSES = ['draft', 'scheduled', 'waiting', 'published', 'missed', 'withdrawn'] as const;
export type SpotlightStatus = (typeof STATUSES)[number];

export function statusOf(row: SpotlightRow, now: number, config: SpotlightConfig): SpotlightStatus {
  if (row.deletedAt !== null) return 'withdrawn';
  if (row.publishedAt !== null) return 'published';
  if (row.week === null || row.publishAt === null) return 'draft';
  if (now < row.publishAt) return 'scheduled';
  return now < slotEndOf(row.week, config) ? 'waiting' : 'missed';
}

/** Who may approve it now (the policy's SQL form): the featured member, or the task force's coordinators. */
export function deciderIds(db: DbOrTx, row: Pick<SpotlightRow, 'kind' | 'featuredMemberId' | 'featuredTaskForceId'>): number[] {
  return deciders(db, row).map((d) => d.id);
}

export function deciders(
  db: DbOrTx,
  row: Pick<SpotlightRow, 'kind' | 'featuredMemberId' | 'featuredTaskForceId'>
): { id: number; name: string }[] {
  if (!needsConsent(row.kind)) return [];
  return all<{ id: number; name: string }>(
    db,
    `SELECT m.id, m.name FROM members m WHERE ${DECIDER_MEMBERS_SQL} ORDER BY m.name, m.id`,
    { kind: row.kind, featuredMemberId: row.featuredMemberId ?? -1, featuredTaskForceId: row.featuredTaskForceId ?? -1 }
  );
}

export type SpotlightAuditAction = Extract<AuditAction, `spotlight.${string}`>;

/** Every write is audited (the actions are spotlight.*). */
export function auditSpotlight(
  tx: DbOrTx,
  ctx: Pick<Ctx, 'actor' | 'ip' | 'userAgent' | 'clock'>,
  action: SpotlightAuditAction,
  spotlightId: number,
  detail: Record<string, unknown>
): void {
  recordAudit(tx, ctx, { action, targetType: 'spotlight', targetId: spotlightId, detail });
}
