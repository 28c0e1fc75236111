import type { FastifyReply, FastifyRequest } from 'fastify';
import { IMAGE_PURPOSES, type ImagePurpose } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import type { ImageState } from '../../policies/directory.ts';
import { HOUR } from '../../shared/clock.ts';
import { Invalid, NotFound, TooManyRequests } from '../../shared/errors.ts';
import { imageUrl } from '../directory/present.ts';
import { loadSubject } from '../directory/subjects.ts';
import { get, run } from '../discussions/sql.ts';
import { commitThen, fileStore } from '../resources/upload.ts';
import { encodeImage } from './encode.ts';
import { receiveImage } from './receive.ts';

/** Pictures: uploaded (profile photos by any member, spotlight pictures by editors), cleaned, served. */

function checkRate(ctx: Ctx): void {
  const limit = ctx.config.imageUploadsPerHour;
  const wait = ctx.limiter.hit(`image-upload:${ctx.actor!.id}`, [{ limit, windowMs: HOUR }], ctx.clock.now());
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60);
    throw new TooManyRequests(
      `You have uploaded ${limit} pictures in the last hour, the most allowed. You can upload again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      wait
    );
  }
}

export async function uploadImage(ctx: Ctx, request: FastifyRequest, purposeRaw: string | undefined) {
  authorize(ctx.actor, 'directory.use');
  if (!(IMAGE_PURPOSES as readonly string[]).includes(purposeRaw ?? '')) {
    throw new Invalid('Say what the picture is for: purpose=profile or purpose=spotlight.', { purpose: 'profile or spotlight.' });
  }
  const purpose = purposeRaw as ImagePurpose;
  if (purpose === 'spotlight') authorize(ctx.actor, 'image.uploadSpotlight');
  const uploaderId = ctx.actor.id;
  checkRate(ctx);
  const received = await receiveImage(request, ctx);
  const image = await encodeImage(ctx, received.staged, received.originalName, purpose);
  const prepared = {
    staged: image.staged,
    kind: { mimeType: image.mimeType, typeLabel: image.mimeType, extensions: [] },
    fileName: ''
  };
  const id = await commitThen(ctx, prepared, (stored) =>
    Number(
      run(
        ctx.db,
        `INSERT INTO images (purpose, sha256, mime_type, size, width, height, uploaded_by, created_at)
         VALUES (@purpose, @sha256, @mimeType, @size, @width, @height, @uploaderId, @now)`,
        {
          purpose,
          sha256: stored.sha256,
          mimeType: image.mimeType,
          size: stored.size,
          width: image.width,
          height: image.height,
          uploaderId,
          now: ctx.clock.now()
        }
      ).lastInsertRowid
    )
  );
  return { image: { id, url: imageUrl(id), width: image.width, height: image.height } };
}

interface ImageRow {
  id: number;
  purpose: ImagePurpose;
  sha256: string;
  mimeType: string;
  size: number;
  uploadedBy: number;
  /** Set when this image is its uploader's current profile photo. */
  photoOf: number | null;
}

const NOT_FOUND = 'That picture was not found.';

function imageState(ctx: Ctx, row: ImageRow): ImageState {
  const owner = row.photoOf === null ? undefined : loadSubject(ctx.db, row.photoOf);
  // A suspended or departed member's photo is not shown to members (their profile is not either).
  const showable = owner !== undefined && (owner.status === 'active' || can(ctx.actor, 'member.seeInactive', owner));
  return { purpose: row.purpose, uploadedBy: row.uploadedBy, photoOf: showable ? owner : null };
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** The picture's bytes, to those who may see it; 404 to everyone else (never 403: it would say it exists). */
export async function serveImage(ctx: Ctx, request: FastifyRequest, reply: FastifyReply, id: number) {
  authorize(ctx.actor, 'directory.use');
  const row = get<ImageRow>(
    ctx.db,
    `SELECT i.id, i.purpose, i.sha256, i.mime_type AS mimeType, i.size, i.uploaded_by AS uploadedBy,
       (SELECT p.member_id FROM member_profiles p WHERE p.member_id = i.uploaded_by AND p.photo_image_id = i.id) AS photoOf
     FROM images i WHERE i.id = @id`,
    { id }
  );
  if (!row || !can(ctx.actor, 'image.read', imageState(ctx, row))) throw new NotFound(NOT_FOUND);
  const etag = `"${row.sha256}"`;
  reply.header('ETag', etag);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Content-Security-Policy', 'sandbox');
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
  let stream;
  try {
    stream = await fileStore(ctx).open(row.sha256);
  } catch {
    ctx.log.error({ imageId: row.id }, 'a stored picture named by a row is missing');
    throw new NotFound(NOT_FOUND);
  }
  reply.header('Content-Type', row.mimeType);
  reply.header('Content-Length', String(row.size));
  reply.header('Content-Disposition', `inline; filename="image-${row.id}.${row.mimeType.split('/')[1]}"`);
  return reply.send(stream);
}
