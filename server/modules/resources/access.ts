import type { DbOrTx } from '../../../db/client.ts';
import type { ResourceKind, ResourceType } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { can } from '../../policies/index.ts';
import type { ResourceState } from '../../policies/resources.ts';
import { NotFound } from '../../shared/errors.ts';
import { loadCategory } from '../discussions/access.ts';
import { get } from '../discussions/sql.ts';

/** The same words whether it does not exist or the member may not see it: existence is not revealed. */
export const RESOURCE_NOT_FOUND = 'That resource was not found, or you do not have access to it.';
export const VERSION_NOT_FOUND = 'That file was not found, or you do not have access to it.';

export interface ResourceRow {
  id: number;
  kind: ResourceKind;
  type: ResourceType;
  title: string;
  description: string;
  descriptionHtml: string;
  descriptionText: string;
  url: string | null;
  authorId: number;
  originTaskForceId: number | null;
  categoryId: number;
  threadId: number;
  currentVersionId: number | null;
  downloadCount: number;
  recommendCount: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

const COLUMNS = `id, kind, type, title, description, description_html AS descriptionHtml, description_text AS descriptionText,
  url, author_id AS authorId, origin_task_force_id AS originTaskForceId, category_id AS categoryId, thread_id AS threadId,
  current_version_id AS currentVersionId, download_count AS downloadCount, recommend_count AS recommendCount,
  created_at AS createdAt, updated_at AS updatedAt, deleted_at AS deletedAt`;

export interface LoadedResource {
  resource: ResourceRow;
  state: ResourceState;
}

export function loadResource(db: DbOrTx, id: number): LoadedResource | undefined {
  const resource = get<ResourceRow>(db, `SELECT ${COLUMNS} FROM resources WHERE id = @id`, { id });
  if (!resource) return undefined;
  const category = loadCategory(db, resource.categoryId);
  if (!category) return undefined;
  return {
    resource,
    state: {
      authorId: resource.authorId,
      kind: resource.kind,
      audience: { isPrivate: category.isPrivate, taskForceIds: category.taskForceIds, disciplines: category.disciplines },
      deletedAt: resource.deletedAt
    }
  };
}

/** A resource the actor may see (moderators: deleted ones too), or 404. */
export function readableResource(ctx: Ctx, id: number): LoadedResource {
  const loaded = loadResource(ctx.db, id);
  if (!loaded || !can(ctx.actor, 'resource.read', loaded.state)) throw new NotFound(RESOURCE_NOT_FOUND);
  return loaded;
}

export interface VersionRow {
  id: number;
  resourceId: number;
  number: number;
  sha256: string;
  size: number;
  mimeType: string;
  typeLabel: string;
  fileName: string;
  uploadedBy: number;
  uploadedByName: string;
  createdAt: number;
  extractionState: 'pending' | 'done' | 'failed' | 'none';
}

export const VERSION_COLUMNS = `v.id, v.resource_id AS resourceId, v.number, v.sha256, v.size, v.mime_type AS mimeType,
  v.type_label AS typeLabel, v.file_name AS fileName, v.uploaded_by AS uploadedBy, vm.name AS uploadedByName,
  v.created_at AS createdAt, v.extraction_state AS extractionState`;

export function versionRow(db: DbOrTx, id: number): VersionRow | undefined {
  return get<VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM resource_versions v JOIN members vm ON vm.id = v.uploaded_by WHERE v.id = @id`,
    { id }
  );
}
