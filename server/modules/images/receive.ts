import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { Deps } from '../../context.ts';
import type { StagedFile } from '../../files/store.ts';
import { AppError, Invalid } from '../../shared/errors.ts';
import { fileStore, TooLarge } from '../resources/upload.ts';

/**
 * Reading an image upload: one part, named `file`, streamed into the file store's temp area while
 * it is hashed and counted (never held in memory); past IMAGE_MAX_MB it stops and is refused.
 */

const LIMITS = { files: 1, fields: 0, parts: 1, headerPairs: 20 };

const isSystemError = (err: unknown) => /^E[A-Z]+$/.test((err as { code?: string } | null)?.code ?? '');

function refusal(err: unknown, maxBytes: number): unknown {
  if (err instanceof AppError || isSystemError(err)) return err;
  switch ((err as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new TooLarge(maxBytes);
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new Invalid('Send one image, in the field named “file”, and nothing else.', { file: 'One image only.' });
  }
  return new Invalid('The upload could not be read: it was interrupted or is not a valid multipart form.');
}

export async function receiveImage(request: FastifyRequest, deps: Deps): Promise<{ staged: StagedFile; originalName: string }> {
  const store = fileStore(deps);
  const maxBytes = deps.config.imageMaxBytes;
  if (!request.isMultipart()) {
    throw new AppError(415, 'unsupported_media_type', 'Send the image as multipart/form-data (a form with a file field).');
  }
  let received: { staged: StagedFile; originalName: string } | null = null;
  try {
    for await (const part of request.parts({ limits: { ...LIMITS, fileSize: maxBytes } })) {
      if (part.type !== 'file' || part.fieldname !== 'file') {
        if (part.type === 'file') part.file.resume();
        throw new Invalid('Send the image in the field named “file”.', { file: 'Choose an image.' });
      }
      const staged = await store.stage(part.file, { maxBytes });
      received = { staged, originalName: part.filename ?? '' };
      if (staged.tooLarge || part.file.truncated) throw new TooLarge(maxBytes);
    }
  } catch (err) {
    if (received) await store.discard(received.staged);
    throw refusal(err, maxBytes);
  }
  if (!received) throw new Invalid('Choose an image to upload.', { file: 'Choose an image.' });
  return received;
}
