import type { Readable } from 'node:stream';

/**
 * Where uploaded files live, addressed by the SHA-256 of their content (identical files are stored
 * once). Local disk now (LocalFileStore); an S3-compatible store can implement the same interface.
 *
 * An upload is staged first (streamed to a temporary file while it is hashed and counted, never held
 * in memory), inspected, then committed (made durable under its content address) BEFORE the
 * transaction that inserts the rows naming it. A staged file that is refused is discarded.
 */

export interface StagedFile {
  /** A local temporary file holding the bytes (the inspector reads it; sharp re-encodes from it). */
  readonly tempPath: string;
  readonly sha256: string;
  readonly size: number;
  /** The source stopped at maxBytes: the file is larger than allowed (its temp file is already gone). */
  readonly tooLarge: boolean;
}

export interface StoredFile {
  /** The content address: the lowercase hex SHA-256. */
  key: string;
  sha256: string;
  size: number;
}

export interface ByteRange {
  /** Inclusive, as in an HTTP Range header. */
  start: number;
  end: number;
}

export interface FileStore {
  /** Stream into a temporary file, hashing and counting; stops reading (tooLarge) past maxBytes. */
  stage(source: Readable, opts?: { maxBytes?: number }): Promise<StagedFile>;
  /** Make a staged file durable under its content address; the temp file is gone afterwards. */
  commit(staged: StagedFile): Promise<StoredFile>;
  /** Drop a staged file (idempotent). */
  discard(staged: StagedFile): Promise<void>;
  /** stage + commit. */
  put(source: Readable, opts?: { maxBytes?: number }): Promise<StoredFile>;
  open(key: string, range?: ByteRange): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}
