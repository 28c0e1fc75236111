import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { AppError, NotFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record.ts';
import { run } from '../discussions/sql.ts';
import { readableResource, VERSION_NOT_FOUND, versionRow, type VersionRow } from './access.ts';
import { contentDisposition } from './names.ts';
import { fileStore } from './upload.ts';

/**
 * Downloads: members who can see the resource; the current file for every reader, earlier ones for
 * the author and moderators. Served as an attachment that no browser will render or sniff
 * (nosniff, CSP sandbox), with ranges (206/416) and the content hash as ETag (304).
 * Counted and audited once per download: a full reply or a range starting at byte 0 (a resumed
 * download's later ranges and revalidations (304) are not new downloads).
 */

interface Range {
  start: number;
  end: number;
}

/** One "bytes=" range (several ranges are answered with the whole file, as RFC 9110 allows). null: ignore the header. */
export function parseRange(header: string | undefined, size: number): Range | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

class RangeNotSatisfiable extends AppError {
  constructor() {
    super(416, 'range_not_satisfiable', 'The requested range is outside the file.');
  }
}

async function send(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, resourceId: number, version: VersionRow) {
  const etag = `"${version.sha256}"`;
  reply.header('ETag', etag);
  reply.header('Accept-Ranges', 'bytes');
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Content-Security-Policy', 'sandbox');
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();

  // If-Range with another validator: the file changed since the client's partial copy; send it all.
  const ifRange = request.headers['if-range'];
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.range, version.size);
  if (range === 'unsatisfiable') {
    reply.header('Content-Range', `bytes */${version.size}`);
    throw new RangeNotSatisfiable();
  }
  const store = fileStore(ctx);
  let stream;
  try {
    stream = request.method === 'HEAD' ? null : await store.open(version.sha256, range ?? undefined);
  } catch {
    ctx.log.error({ resourceId, versionId: version.id }, 'a stored file named by a row is missing');
    throw new NotFound(VERSION_NOT_FOUND);
  }
  if (request.method !== 'HEAD' && (range === null || range.start === 0)) {
    ctx.db.transaction((tx) => {
      run(tx, 'UPDATE resources SET download_count = download_count + 1 WHERE id = @resourceId', { resourceId });
      recordAudit(tx, ctx, {
        action: 'resource.downloaded',
        targetType: 'resource',
        targetId: resourceId,
        detail: { versionId: version.id, number: version.number, fileName: version.fileName, ...(range ? { range: true } : {}) }
      });
    });
  }
  reply.header('Content-Type', version.mimeType);
  reply.header('Content-Disposition', contentDisposition(version.fileName));
  if (range) {
    reply.status(206);
    reply.header('Content-Range', `bytes ${range.start}-${range.end}/${version.size}`);
    reply.header('Content-Length', String(range.end - range.start + 1));
  } else {
    reply.header('Content-Length', String(version.size));
  }
  return reply.send(stream ?? '');
}

/** The current file of a resource. */
export async function downloadCurrent(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, resourceId: number) {
  authorize(ctx.actor, 'resources.use');
  const { resource } = readableResource(ctx, resourceId);
  const version = resource.currentVersionId === null ? undefined : versionRow(ctx.db, resource.currentVersionId);
  if (!version)
    throw new NotFound(resource.kind === 'link' ? 'This resource is a link: it has no file to download.' : VERSION_NOT_FOUND);
  return send(ctx, request, reply, resourceId, version);
}

/** One version by id: the current one for every reader, earlier ones for the author and moderators. */
export async function downloadVersion(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, versionId: number) {
  authorize(ctx.actor, 'resources.use');
  const version = versionRow(ctx.db, versionId);
  if (!version) throw new NotFound(VERSION_NOT_FOUND);
  let loaded;
  try {
    loaded = readableResource(ctx, version.resourceId);
  } catch {
    throw new NotFound(VERSION_NOT_FOUND);
  }
  const current = loaded.resource.currentVersionId === version.id;
  if (!current && !can(ctx.actor, 'resource.readOldVersions', loaded.state)) throw new NotFound(VERSION_NOT_FOUND);
  return send(ctx, request, reply, version.resourceId, version);
}
