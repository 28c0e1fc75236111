import type { DbOrTx } from '../../../db/client.ts';
import type { ResourceKind, ResourceType } from '../../../db/schema/index.ts';
import { excerpt } from '../../shared/markdown.ts';
import { all, idList } from '../discussions/sql.ts';
import { audiences } from './audience.ts';
import { TYPE_LABELS } from './input.ts';

/** One query for every resource of a page (lists, search, a single page), then the small lookups by id list. */

export interface SummaryRow {
  id: number;
  kind: ResourceKind;
  type: ResourceType;
  title: string;
  descriptionText: string;
  url: string | null;
  authorId: number;
  authorName: string;
  originTaskForceId: number | null;
  originTaskForceName: string | null;
  categoryId: number;
  isPrivate: number;
  threadId: number;
  downloadCount: number;
  recommendCount: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  versionId: number | null;
  versionNumber: number | null;
  sha256: string | null;
  size: number | null;
  mimeType: string | null;
  typeLabel: string | null;
  fileName: string | null;
  uploadedAt: number | null;
  uploadedBy: number | null;
  uploadedByName: string | null;
}

const SUMMARY_SQL = `SELECT r.id, r.kind, r.type, r.title, r.description_text AS descriptionText, r.url,
    r.author_id AS authorId, am.name AS authorName, r.origin_task_force_id AS originTaskForceId, otf.name AS originTaskForceName,
    r.category_id AS categoryId, c.is_private AS isPrivate, r.thread_id AS threadId, r.download_count AS downloadCount,
    r.recommend_count AS recommendCount, r.created_at AS createdAt, r.updated_at AS updatedAt, r.deleted_at AS deletedAt,
    v.id AS versionId, v.number AS versionNumber, v.sha256, v.size, v.mime_type AS mimeType, v.type_label AS typeLabel,
    v.file_name AS fileName, v.created_at AS uploadedAt, v.uploaded_by AS uploadedBy, vm.name AS uploadedByName
  FROM resources r
  JOIN members am ON am.id = r.author_id
  JOIN categories c ON c.id = r.category_id
  LEFT JOIN task_forces otf ON otf.id = r.origin_task_force_id
  LEFT JOIN resource_versions v ON v.id = r.current_version_id
  LEFT JOIN members vm ON vm.id = v.uploaded_by
  WHERE r.id IN (SELECT value FROM json_each(@ids))`;

export const currentDownloadUrl = (resourceId: number) => `/api/resources/${resourceId}/download`;
export const versionDownloadUrl = (versionId: number) => `/api/resources/versions/${versionId}/download`;

export function summaryRows(db: DbOrTx, ids: readonly number[]): Map<number, SummaryRow> {
  if (ids.length === 0) return new Map();
  return new Map(all<SummaryRow>(db, SUMMARY_SQL, { ids: idList(ids) }).map((r) => [r.id, r]));
}

/** ResourceSummary (see /work/briefs/resources-api.md), in the order of `ids`. */
export function presentSummaries(
  db: DbOrTx,
  ids: readonly number[],
  me: number,
  snippets: ReadonlyMap<number, string> = new Map()
) {
  const rows = summaryRows(db, ids);
  const list = ids.map((id) => rows.get(id)).filter((r): r is SummaryRow => r !== undefined);
  const idJson = idList(list.map((r) => r.id));
  const tags = new Map<number, string[]>();
  for (const t of all<{ resourceId: number; tag: string }>(
    db,
    'SELECT resource_id AS resourceId, tag FROM resource_tags WHERE resource_id IN (SELECT value FROM json_each(@ids)) ORDER BY tag',
    { ids: idJson }
  )) {
    tags.set(t.resourceId, [...(tags.get(t.resourceId) ?? []), t.tag]);
  }
  const mine = new Set(
    all<{ id: number }>(
      db,
      'SELECT resource_id AS id FROM resource_recommendations WHERE member_id = @me AND resource_id IN (SELECT value FROM json_each(@ids))',
      { me, ids: idJson }
    ).map((r) => r.id)
  );
  const audienceOf = audiences(
    db,
    list.filter((r) => r.isPrivate === 1).map((r) => r.categoryId)
  );
  return list.map((r) => ({
    id: r.id,
    title: r.title,
    kind: r.kind,
    type: r.type,
    typeLabel: TYPE_LABELS[r.type] ?? r.type,
    tags: tags.get(r.id) ?? [],
    excerpt: excerpt(r.descriptionText),
    author: { id: r.authorId, name: r.authorName },
    originTaskForce: r.originTaskForceId === null ? null : { id: r.originTaskForceId, name: r.originTaskForceName ?? '' },
    audience: audienceOf(r.categoryId, r.isPrivate === 1),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    downloadCount: r.downloadCount,
    recommendCount: r.recommendCount,
    recommended: mine.has(r.id),
    url: r.kind === 'link' ? r.url : null,
    file:
      r.kind === 'file' && r.versionId !== null
        ? {
            versionId: r.versionId,
            number: r.versionNumber!,
            fileName: r.fileName!,
            size: r.size!,
            mimeType: r.mimeType!,
            typeLabel: r.typeLabel!,
            sha256: r.sha256!,
            uploadedAt: r.uploadedAt!,
            uploadedBy: { id: r.uploadedBy!, name: r.uploadedByName ?? '' },
            downloadUrl: currentDownloadUrl(r.id)
          }
        : null,
    deleted: r.deletedAt !== null,
    /** Escaped text with <mark> around matches (searching only): safe to insert as HTML. */
    snippetHtml: snippets.get(r.id) ?? null
  }));
}

export type ResourceSummary = ReturnType<typeof presentSummaries>[number];
