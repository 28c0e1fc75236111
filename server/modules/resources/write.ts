import type { FastifyRequest } from 'fastify';
import type { Tx } from '../../../db/client.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { HOUR } from '../../shared/clock.ts';
import { Conflict, Forbidden, Invalid, TooManyRequests } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';
import { renderStored } from '../discussions/compose.ts';
import { all, get, run } from '../discussions/sql.ts';
import { refreshCategoryCounts } from '../discussions/store.ts';
import { indexPost, unindexThread } from '../search/indexer.ts';
import { readableResource, type LoadedResource } from './access.ts';
import { changeAudience, nameCategory, placeNewResource } from './audience.ts';
import { inputFromForm, SHARE_FIELDS } from './formFields.ts';
import { validateInput, type ResourceInput, type ValidInput } from './input.ts';
import { indexResource, setContent } from './searchIndex.ts';
import { writeTags } from './tags.ts';
import { commitThen, fileStore, prepareFile, receiveUpload, type PreparedFile } from './upload.ts';

/** Uploads per member per hour (UPLOADS_PER_HOUR): counted when an upload starts, refused or not. */
function checkUploadRate(ctx: Ctx): void {
  const wait = ctx.limiter.hit(
    `upload:${ctx.actor!.id}`,
    [{ limit: ctx.config.uploadsPerHour, windowMs: HOUR }],
    ctx.clock.now()
  );
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new TooManyRequests(
      `You have uploaded ${ctx.config.uploadsPerHour} files in the last hour, the most allowed. You can upload again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      wait
    );
  }
}

interface NewResource {
  kind: 'file' | 'link';
  input: ValidInput;
  authorId: number;
  now: number;
}

function insertResource(tx: Tx, r: NewResource): { id: number; categoryId: number; threadId: number } {
  const { categoryId, threadId } = placeNewResource(tx, {
    audience: r.input.audience,
    title: r.input.title,
    authorId: r.authorId,
    now: r.now
  });
  const id = Number(
    run(
      tx,
      `INSERT INTO resources (kind, type, title, description, description_html, description_text, url, author_id,
         origin_task_force_id, category_id, thread_id, created_at, updated_at)
       VALUES (@kind, @type, @title, @description, @html, @text, @url, @authorId, @origin, @categoryId, @threadId, @now, @now)`,
      {
        kind: r.kind,
        type: r.input.type,
        title: r.input.title,
        description: r.input.description,
        html: r.input.html,
        text: r.input.text,
        url: r.input.url,
        authorId: r.authorId,
        origin: r.input.originTaskForceId,
        categoryId,
        threadId,
        now: r.now
      }
    ).lastInsertRowid
  );
  nameCategory(tx, categoryId, id);
  writeTags(tx, id, r.input.tags);
  indexResource(tx, id, { title: r.input.title, descriptionText: r.input.text });
  return { id, categoryId, threadId };
}

function insertVersion(
  tx: Tx,
  resourceId: number,
  prepared: PreparedFile,
  sha256: string,
  size: number,
  uploadedBy: number,
  now: number
): { versionId: number; number: number } {
  const number = get<{ n: number }>(
    tx,
    'SELECT coalesce(max(number), 0) + 1 AS n FROM resource_versions WHERE resource_id = @resourceId',
    {
      resourceId
    }
  )!.n;
  const versionId = Number(
    run(
      tx,
      `INSERT INTO resource_versions (resource_id, number, sha256, size, mime_type, type_label, file_name, uploaded_by,
         created_at, extraction_state)
       VALUES (@resourceId, @number, @sha256, @size, @mimeType, @typeLabel, @fileName, @uploadedBy, @now, @state)`,
      {
        resourceId,
        number,
        sha256,
        size,
        mimeType: prepared.kind.mimeType,
        typeLabel: prepared.kind.typeLabel,
        fileName: prepared.fileName,
        uploadedBy,
        now,
        state: prepared.kind.extract ? 'pending' : 'none'
      }
    ).lastInsertRowid
  );
  run(tx, 'UPDATE resources SET current_version_id = @versionId, updated_at = @now WHERE id = @resourceId', {
    versionId,
    now,
    resourceId
  });
  // Until the new file is read, search knows the resource by its details only.
  setContent(tx, resourceId, '');
  return { versionId, number };
}

function publishShared(ctx: Ctx, created: { id: number; categoryId: number; threadId: number }, input: ValidInput): void {
  ctx.bus.publish({
    type: 'resource.shared',
    resourceId: created.id,
    categoryId: created.categoryId,
    threadId: created.threadId,
    authorId: ctx.actor!.id,
    title: input.title,
    resourceType: input.type,
    tags: input.tags
  });
}

/** Validate a share form without saving (the page calls it before sending a large file). */
export function checkResource(ctx: Ctx, input: ResourceInput & { kind: 'file' | 'link' }): { ok: true } {
  authorize(ctx.actor, 'resources.use');
  validateInput(ctx, input, input.kind, { requireUrl: input.kind === 'link' && input.url !== undefined });
  return { ok: true };
}

export function createLinkResource(ctx: Ctx, raw: ResourceInput): { id: number; threadId: number } {
  authorize(ctx.actor, 'resources.use');
  const input = validateInput(ctx, raw, 'link');
  const now = ctx.clock.now();
  const created = ctx.db.transaction((tx) => insertResource(tx, { kind: 'link', input, authorId: ctx.actor!.id, now }));
  publishShared(ctx, created, input);
  return { id: created.id, threadId: created.threadId };
}

/** A file resource from a multipart form: fields checked first, then the file judged, stored, and the rows written. */
export async function createFileResource(
  ctx: Ctx,
  request: FastifyRequest
): Promise<{ id: number; threadId: number; versionId: number }> {
  authorize(ctx.actor, 'resources.use');
  checkUploadRate(ctx);
  const upload = await receiveUpload(request, ctx, SHARE_FIELDS);
  const actorId = ctx.actor.id;
  let input: ValidInput;
  try {
    input = validateInput(ctx, inputFromForm(upload.fields), 'file');
  } catch (err) {
    if (upload.file) await fileStore(ctx).discard(upload.file.staged);
    throw err;
  }
  if (!upload.file) throw new Invalid('Choose a file to upload.', { file: 'Choose a file.' });
  const prepared = await prepareFile(ctx, upload.file);
  const now = ctx.clock.now();
  const created = await commitThen(ctx, prepared, (stored) =>
    ctx.db.transaction((tx) => {
      const resource = insertResource(tx, { kind: 'file', input, authorId: actorId, now });
      const version = insertVersion(tx, resource.id, prepared, stored.sha256, stored.size, actorId, now);
      return { ...resource, versionId: version.versionId };
    })
  );
  publishShared(ctx, created, input);
  return { id: created.id, threadId: created.threadId, versionId: created.versionId };
}

/** A new file for a file resource (author, moderators, admins). */
export async function addVersion(
  ctx: Ctx,
  resourceId: number,
  request: FastifyRequest
): Promise<{ versionId: number; number: number }> {
  authorize(ctx.actor, 'resources.use');
  const loaded = readableResource(ctx, resourceId);
  refuse(ctx, 'resource.addVersion', loaded, 'Only the author and moderators can upload a new version.');
  checkUploadRate(ctx);
  const upload = await receiveUpload(request, ctx, new Set());
  if (!upload.file) throw new Invalid('Choose a file to upload.', { file: 'Choose a file.' });
  const prepared = await prepareFile(ctx, upload.file);
  const actorId = ctx.actor.id;
  const now = ctx.clock.now();
  const version = await commitThen(ctx, prepared, (stored) =>
    ctx.db.transaction((tx) => {
      // Deleted while the file was arriving: nothing is added.
      const live = get(tx, 'SELECT 1 FROM resources WHERE id = @resourceId AND deleted_at IS NULL', { resourceId });
      if (!live) throw new Conflict('This resource was deleted.');
      return insertVersion(tx, resourceId, prepared, stored.sha256, stored.size, actorId, now);
    })
  );
  ctx.bus.publish({
    type: 'resource.updated',
    resourceId,
    categoryId: loaded.resource.categoryId,
    editorId: actorId,
    change: 'version'
  });
  return version;
}

function refuse(
  ctx: Ctx,
  action: 'resource.edit' | 'resource.delete' | 'resource.addVersion',
  loaded: LoadedResource,
  message: string
): void {
  if (can(ctx.actor, action, loaded.state)) return;
  if (loaded.resource.deletedAt !== null) throw new Conflict('This resource was deleted.');
  if (action === 'resource.addVersion' && loaded.resource.kind === 'link') {
    throw new Invalid('A link resource has no file: edit its link address instead.');
  }
  throw new Forbidden(message);
}

export type ResourcePatch = Partial<ResourceInput>;

/** Edit details (author, moderators, admins). Unsent fields stay as they are. */
export function updateResource(ctx: Ctx, resourceId: number, patch: ResourcePatch): { updated: true } {
  authorize(ctx.actor, 'resources.use');
  const loaded = readableResource(ctx, resourceId);
  refuse(ctx, 'resource.edit', loaded, 'Only the author and moderators can edit this resource.');
  const { resource, state } = loaded;
  const audienceSent = patch.audience !== undefined || patch.taskForceIds !== undefined || patch.disciplines !== undefined;
  const currentTags = all<{ tag: string }>(ctx.db, 'SELECT tag FROM resource_tags WHERE resource_id = @resourceId ORDER BY tag', {
    resourceId
  }).map((r) => r.tag);
  if (patch.url !== undefined && resource.kind === 'file') {
    throw new Invalid('A file resource has no link address.', { url: 'Upload a new version instead.' });
  }
  const merged: ResourceInput = {
    title: patch.title ?? resource.title,
    description: patch.description ?? resource.description,
    type: patch.type ?? resource.type,
    tags: patch.tags ?? currentTags,
    url: patch.url ?? resource.url,
    ...(audienceSent
      ? {
          ...(patch.audience ? { audience: patch.audience } : {}),
          taskForceIds: patch.taskForceIds ?? [],
          disciplines: patch.disciplines ?? []
        }
      : { taskForceIds: [...state.audience.taskForceIds], disciplines: [...state.audience.disciplines] }),
    originTaskForceId: patch.originTaskForceId !== undefined ? patch.originTaskForceId : resource.originTaskForceId,
    confirmPrivacy: patch.confirmPrivacy
  };
  const input = validateInput(ctx, merged, resource.kind);
  const now = ctx.clock.now();
  const categoryId = ctx.db.transaction((tx) => {
    run(
      tx,
      `UPDATE resources SET title = @title, description = @description, description_html = @html, description_text = @text,
         type = @type, url = @url, origin_task_force_id = @origin, updated_at = @now WHERE id = @resourceId`,
      {
        title: input.title,
        description: input.description,
        html: input.html,
        text: input.text,
        type: input.type,
        url: input.url,
        origin: input.originTaskForceId,
        now,
        resourceId
      }
    );
    run(tx, 'UPDATE threads SET title = @title WHERE id = @threadId', { title: input.title, threadId: resource.threadId });
    writeTags(tx, resourceId, input.tags);
    indexResource(tx, resourceId, { title: input.title, descriptionText: input.text });
    return audienceSent ? changeAudience(tx, resource, input.audience, now) : resource.categoryId;
  });
  ctx.bus.publish({ type: 'resource.updated', resourceId, categoryId, editorId: ctx.actor.id, change: 'details' });
  return { updated: true };
}

/** Soft delete (author, moderators, admins): the resource and its comments are gone for everyone but moderators. */
export function deleteResource(ctx: Ctx, resourceId: number): { deleted: true } {
  authorize(ctx.actor, 'resources.use');
  const loaded = readableResource(ctx, resourceId);
  refuse(ctx, 'resource.delete', loaded, 'Only the author and moderators can delete this resource.');
  const { resource } = loaded;
  const now = ctx.clock.now();
  const byStaff = resource.authorId !== ctx.actor.id;
  ctx.db.transaction((tx) => {
    run(tx, 'UPDATE resources SET deleted_at = @now, deleted_by = @by, updated_at = @now WHERE id = @resourceId', {
      now,
      by: ctx.actor!.id,
      resourceId
    });
    run(tx, 'UPDATE threads SET deleted_at = @now, deleted_by = @by WHERE id = @threadId', {
      now,
      by: ctx.actor!.id,
      threadId: resource.threadId
    });
    refreshCategoryCounts(tx, resource.categoryId);
    unindexThread(tx, resource.threadId);
    if (byStaff) {
      recordAudit(tx, ctx, {
        action: 'resource.deleted_by_moderator',
        targetType: 'resource',
        targetId: resourceId,
        detail: { title: resource.title, authorId: resource.authorId }
      });
    }
  });
  ctx.bus.publish({
    type: 'resource.updated',
    resourceId,
    categoryId: resource.categoryId,
    editorId: ctx.actor.id,
    change: 'deleted'
  });
  return { deleted: true };
}

export function restoreResource(ctx: Ctx, resourceId: number): { restored: true } {
  authorize(ctx.actor, 'resources.use');
  const loaded = readableResource(ctx, resourceId);
  if (loaded.resource.deletedAt === null) throw new Conflict('This resource is not deleted.');
  if (!can(ctx.actor, 'resource.restore', loaded.state)) throw new Forbidden('Only moderators can restore a resource.');
  const { resource } = loaded;
  const comments = all<{ id: number; body: string }>(
    ctx.db,
    'SELECT id, body FROM posts WHERE thread_id = @threadId AND deleted_at IS NULL AND hidden_at IS NULL',
    { threadId: resource.threadId }
  ).map((p) => ({ id: p.id, text: renderStored(ctx.db, p.body).text }));
  const now = ctx.clock.now();
  ctx.db.transaction((tx) => {
    run(tx, 'UPDATE resources SET deleted_at = NULL, deleted_by = NULL, updated_at = @now WHERE id = @resourceId', {
      now,
      resourceId
    });
    run(tx, 'UPDATE threads SET deleted_at = NULL, deleted_by = NULL WHERE id = @threadId', { threadId: resource.threadId });
    refreshCategoryCounts(tx, resource.categoryId);
    for (const c of comments) indexPost(tx, c.id, '', c.text);
    recordAudit(tx, ctx, {
      action: 'resource.restored',
      targetType: 'resource',
      targetId: resourceId,
      detail: { title: resource.title }
    });
  });
  ctx.bus.publish({
    type: 'resource.updated',
    resourceId,
    categoryId: resource.categoryId,
    editorId: ctx.actor.id,
    change: 'restored'
  });
  return { restored: true };
}
