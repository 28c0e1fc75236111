import type { ImagePurpose } from '../../../db/schema/index.ts';
import type { Deps } from '../../context.ts';
import type { StagedFile } from '../../files/store.ts';
import { AppError, Invalid } from '../../shared/errors.ts';
import { inspectFile, UnsupportedType } from '../resources/fileTypes.ts';
import { fileStore } from '../resources/upload.ts';

/**
 * Judging and cleaning a picture. Only PNG, JPEG and WebP, by content (the name and the browser's
 * word count for nothing); everything else is refused naming what it is. Accepted pictures are
 * decoded and re-encoded by sharp: turned upright from their EXIF orientation, every piece of
 * metadata dropped (EXIF with GPS and camera serials, XMP, IPTC, ICC comments), at most 2048 px on a
 * side; a profile photo becomes a 512 × 512 square (cover crop). The original is never stored.
 */

export const MAX_SIDE = 2048;
export const PROFILE_SIDE = 512;
/** Larger images are refused rather than decoded (a small PNG can claim 100,000 × 100,000 pixels). */
const MAX_PIXELS = 50_000_000;
const ALLOWED = 'Only PNG, JPEG and WebP images can be used.';

export class NotAnImage extends AppError {
  constructor(what: string) {
    super(415, 'unsupported_type', `This file is ${what}. ${ALLOWED}`, { file: `Not a PNG, JPEG or WebP image (${what}).` });
  }
}

const article = (label: string) => (/^[AEIOU]/i.test(label) ? `an ${label}` : `a ${label}`);

let sharpModule: Promise<typeof import('sharp').default> | null = null;
/** sharp, loaded on first use (libvips costs every server start ~0.5 s otherwise). */
function loadSharp() {
  sharpModule ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return sharpModule;
}

export interface EncodedImage {
  staged: StagedFile;
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
}

/** Judge the upload and re-encode it; the upload's temp file is always gone afterwards. */
export async function encodeImage(
  deps: Deps,
  upload: StagedFile,
  originalName: string,
  purpose: ImagePurpose
): Promise<EncodedImage> {
  const store = fileStore(deps);
  let encoded: StagedFile | null = null;
  try {
    let format: 'png' | 'jpeg' | 'webp';
    try {
      const kind = await inspectFile(upload.tempPath, upload.size, originalName);
      if (!kind.image) throw new NotAnImage(article(kind.typeLabel));
      format = kind.image;
    } catch (err) {
      if (err instanceof UnsupportedType) throw new NotAnImage(err.detected);
      if (err instanceof Invalid) throw new Invalid('The file is empty.', { file: 'This file has no content.' });
      throw err;
    }
    const sharp = await loadSharp();
    // failOn 'truncated': a cut-off JPEG is refused, not stored half grey.
    let pipeline = sharp(upload.tempPath, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' }).rotate();
    pipeline =
      purpose === 'profile'
        ? pipeline.resize(PROFILE_SIDE, PROFILE_SIDE, { fit: 'cover', position: 'attention' })
        : pipeline.resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true });
    // No keepMetadata()/withMetadata(): nothing of the original's metadata is written.
    const output =
      format === 'png'
        ? pipeline.png()
        : format === 'jpeg'
          ? pipeline.jpeg({ quality: 85, mozjpeg: true })
          : pipeline.webp({ quality: 85 });
    const info = new Promise<{ width: number; height: number }>((resolve) => {
      output.once('info', (i: { width: number; height: number }) => resolve({ width: i.width, height: i.height }));
    });
    try {
      encoded = await store.stage(output, { maxBytes: deps.config.imageMaxBytes * 4 });
    } catch (err) {
      if (/^E[A-Z]+$/.test((err as { code?: string }).code ?? '')) throw err;
      throw new Invalid(
        `This ${format === 'jpeg' ? 'JPEG' : format.toUpperCase()} image could not be read: it is damaged, cut off, or has too many pixels.`,
        {
          file: 'The image could not be read.'
        }
      );
    }
    if (encoded.tooLarge) throw new Invalid('This image grew too large when cleaned. Try a smaller one.', { file: 'Too large.' });
    const { width, height } = await info;
    return { staged: encoded, mimeType: `image/${format}`, width, height };
  } catch (err) {
    if (encoded) await store.discard(encoded);
    throw err;
  } finally {
    await store.discard(upload);
  }
}
