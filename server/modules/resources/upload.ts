import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { Deps } from '../../context.ts';
import { LocalFileStore } from '../../files/local.ts';
import type { StagedFile, StoredFile } from '../../files/store.ts';
import { AppError, Invalid } from '../../shared/errors.ts';
import { get } from '../discussions/sql.ts';
import { inspectFile, UnsupportedType, type FileKind } from './fileTypes.ts';
import { displayName } from './names.ts';

/**
 * Receiving an upload: multipart parts are read one at a time; the file part streams through a
 * hash-and-count into a temp file (never held in memory), then is judged by its content, images are
 * re-encoded (metadata dropped), and the result is committed to the store before the caller's
 * transaction. Whatever goes wrong, the temp files go.
 */

/** sharp, loaded on first use (libvips costs every server start ~0.5 s otherwise). */
let sharpModule: Promise<typeof import('sharp').default> | null = null;
function loadSharp() {
  sharpModule ??= import('sharp').then(({ default: sharp }) => {
    // Re-encoding one image at a time, without libvips' cache, keeps memory flat under many uploads.
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return sharpModule;
}
/** Larger images are refused rather than decoded (a 1 KB PNG can claim 100,000 × 100,000 pixels). */
const MAX_IMAGE_PIXELS = 50_000_000;

const stores = new WeakMap<Deps['config'], LocalFileStore>();

/** Use another store for an app (tests that must not write under DATA_DIR; later, an S3-compatible store). */
export function setFileStore(deps: Pick<Deps, 'config'>, store: LocalFileStore): void {
  stores.set(deps.config, store);
}

/** The file store of this app (DATA_DIR/files). */
export function fileStore(deps: Pick<Deps, 'config'>): LocalFileStore {
  let store = stores.get(deps.config);
  if (!store) {
    store = new LocalFileStore(path.join(deps.config.dataDir, 'files'));
    stores.set(deps.config, store);
  }
  return store;
}

export class TooLarge extends AppError {
  constructor(maxBytes: number) {
    const mb = Math.round(maxBytes / (1024 * 1024));
    super(413, 'too_large', `Files can be at most ${mb} MB. This one is larger.`, { file: `At most ${mb} MB.` });
  }
}

export interface ReceivedUpload {
  /** Text fields, each with every value sent under its name. */
  fields: Map<string, string[]>;
  file: { staged: StagedFile; originalName: string } | null;
}

/** errno codes (ENOSPC, EACCES, EIO…) come from the disk, not from the member's request: those are ours (500). */
const isSystemError = (err: unknown) => /^E[A-Z]+$/.test((err as { code?: string } | null)?.code ?? '');

const MULTIPART_LIMITS = { files: 1, fields: 40, parts: 60, fieldSize: 100_000, headerPairs: 20 };

/** Multipart errors a member's request can cause, in their words (anything else is ours: a 500). */
function uploadError(err: unknown, maxBytes: number): AppError | null {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code ?? '';
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new TooLarge(maxBytes);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError(415, 'unsupported_media_type', 'Send the file as multipart/form-data (a form with a file field).');
    case 'FST_FILES_LIMIT':
      return new Invalid('Send one file at a time.', { file: 'Only one file per upload.' });
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new Invalid('The form has too many fields.');
    case 'FST_PROTO_VIOLATION':
      return new Invalid('The form contains a forbidden field name.');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new Invalid('A form field is not valid JSON.');
  }
  if (isSystemError(err)) return null;
  return new Invalid('The upload could not be read: it was interrupted or is not a valid multipart form.');
}

/** Read the multipart body: fields and at most one file (in the part named `file`). */
export async function receiveUpload(
  request: FastifyRequest,
  deps: Deps,
  allowedFields: ReadonlySet<string>
): Promise<ReceivedUpload> {
  const store = fileStore(deps);
  const maxBytes = deps.config.uploadMaxBytes;
  const fields = new Map<string, string[]>();
  let file: ReceivedUpload['file'] = null;
  try {
    if (!request.isMultipart()) throw uploadError({ code: 'FST_INVALID_MULTIPART_CONTENT_TYPE' }, maxBytes);
    for await (const part of request.parts({ limits: { ...MULTIPART_LIMITS, fileSize: maxBytes } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file !== null) {
          part.file.resume();
          throw new Invalid(part.fieldname !== 'file' ? 'Send the file in the field named “file”.' : 'Send one file at a time.');
        }
        const staged = await store.stage(part.file, { maxBytes });
        // Browsers send " and line breaks in file names as %22, %0D, %0A (HTML form-data encoding).
        const originalName = (part.filename ?? '').replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
        file = { staged, originalName };
        if (staged.tooLarge || part.file.truncated) throw new TooLarge(maxBytes);
      } else {
        if (!allowedFields.has(part.fieldname))
          throw new Invalid(`Unknown field "${part.fieldname}".`, { [part.fieldname]: 'Unknown field.' });
        if (part.valueTruncated)
          throw new Invalid(`The field "${part.fieldname}" is too long.`, { [part.fieldname]: 'Too long.' });
        const list = fields.get(part.fieldname) ?? [];
        list.push(String(part.value));
        fields.set(part.fieldname, list);
      }
    }
  } catch (err) {
    if (file) await store.discard(file.staged);
    throw uploadError(err, maxBytes) ?? err;
  }
  return { fields, file };
}

export interface PreparedFile {
  staged: StagedFile;
  kind: FileKind;
  fileName: string;
}

/** Judge the staged file by its content; re-encode images. On refusal the temp files are gone. */
export async function prepareFile(deps: Deps, upload: { staged: StagedFile; originalName: string }): Promise<PreparedFile> {
  const store = fileStore(deps);
  let staged = upload.staged;
  try {
    const kind = await inspectFile(staged.tempPath, staged.size, upload.originalName);
    if (kind.image) {
      const source = staged;
      const sharp = await loadSharp();
      const encoder = sharp(source.tempPath, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).rotate();
      const output =
        kind.image === 'png'
          ? encoder.png()
          : kind.image === 'jpeg'
            ? encoder.jpeg({ quality: 90 })
            : encoder.webp({ quality: 90 });
      try {
        // No withMetadata(): EXIF (GPS, camera serials), XMP and IPTC are not carried over.
        staged = await store.stage(output, { maxBytes: deps.config.uploadMaxBytes * 2 });
      } catch (err) {
        if (isSystemError(err)) throw err;
        throw new UnsupportedType(
          `${kind.typeLabel === 'JPEG image' ? 'a JPEG' : kind.typeLabel === 'PNG image' ? 'a PNG' : 'a WebP'} image that could not be read (damaged, or too many pixels)`
        );
      } finally {
        await store.discard(source);
      }
      if (staged.tooLarge) throw new UnsupportedType('an image that grew too large when cleaned');
    }
    return { staged, kind, fileName: displayName(upload.originalName, kind.extensions) };
  } catch (err) {
    await store.discard(staged);
    throw err;
  }
}

/**
 * Files being committed right now, by hash: a failed upload's clean-up must not delete a file that
 * another request is about to name in its transaction.
 */
const committing = new Map<string, number>();

/** Commit to the store, then run the transaction; a file no row names afterwards is deleted. */
export async function commitThen<T>(deps: Deps, prepared: PreparedFile, transaction: (stored: StoredFile) => T): Promise<T> {
  const store = fileStore(deps);
  const sha = prepared.staged.sha256;
  committing.set(sha, (committing.get(sha) ?? 0) + 1);
  try {
    const stored = await store.commit(prepared.staged);
    return transaction(stored);
  } finally {
    const left = (committing.get(sha) ?? 1) - 1;
    if (left > 0) committing.set(sha, left);
    else committing.delete(sha);
    forgetIfUnnamed(deps, sha);
    await store.discard(prepared.staged);
  }
}

/** A row names this stored file: a resource version, or an image (profile photos, spotlight pictures). */
function isNamed(deps: Pick<Deps, 'db'>, sha256: string): boolean {
  return (
    get(
      deps.db,
      'SELECT 1 FROM resource_versions WHERE sha256 = @sha256 UNION ALL SELECT 1 FROM images WHERE sha256 = @sha256 LIMIT 1',
      { sha256 }
    ) !== undefined
  );
}

/** Delete a stored file that no row names (checked and deleted in the same tick: no row can appear between). */
export function forgetIfUnnamed(deps: Deps, sha256: string): void {
  if (committing.has(sha256)) return;
  if (isNamed(deps, sha256)) return;
  fileStore(deps).deleteNow(sha256);
}

/**
 * Maintenance (start-up and hourly): temp files older than an hour are left-overs of a crash, and
 * so are stored files no row names (a crash between commit and transaction). Both are deleted.
 */
export async function sweepFileStore(deps: Deps, olderThanMs = 3_600_000): Promise<{ temp: number; orphans: number }> {
  const store = fileStore(deps);
  const cutoff = Date.now() - olderThanMs;
  let temp = 0;
  let orphans = 0;
  for (const name of await store.tempFiles()) {
    const file = path.join(store.tmpDir, name);
    const info = await lstat(file).catch(() => null);
    if (info && info.mtimeMs < cutoff) {
      await rm(file, { force: true });
      temp++;
    }
  }
  for (const key of await store.keys()) {
    const info = await lstat(store.pathOf(key)).catch(() => null);
    if (!info || info.mtimeMs >= cutoff) continue;
    const before = committing.has(key) || isNamed(deps, key);
    if (!before) {
      forgetIfUnnamed(deps, key);
      orphans++;
    }
  }
  return { temp, orphans };
}
