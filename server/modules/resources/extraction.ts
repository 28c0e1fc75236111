import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Deps } from '../../context.ts';
import { all, get, run } from '../discussions/sql.ts';
import { CONTENT_MAX_CHARS, setContent } from './searchIndex.ts';
import { fileStore } from './upload.ts';

/**
 * Text inside files, for search, read in the background after upload: the job (server/jobs/
 * scheduler.ts) calls runExtraction every few seconds; tests call it and await it. PDFs and OOXML /
 * OpenDocument files are read with officeparser (pdf.js inside), text and CSV directly. Legacy
 * DOC/XLS/PPT, images and video are not read (state 'none'). A file that cannot be read is marked
 * 'failed' and stays searchable by its details. At most CONTENT_MAX_CHARS characters are kept.
 */

/** officeparser and pdf.js hold the whole document in memory: larger files are not read. */
const EXTRACT_MAX_BYTES = 50 * 1024 * 1024;
/** A ZIP-based document that would inflate past this is not read (a "zip bomb" could fill memory). */
const MAX_INFLATED_BYTES = 300 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

const PARSER_EXTENSION: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp'
};

/** Sum of the uncompressed sizes in a ZIP's central directory, or null if it cannot be read cheaply. */
export async function zipInflatedSize(filePath: string, size: number): Promise<number | null> {
  const handle = await open(filePath, 'r');
  try {
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) return null;
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    // ZIP64 (sizes in extra fields) or an absurd directory: not read.
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || cdSize > 16 * 1024 * 1024) return null;
    const cd = Buffer.alloc(cdSize);
    const { bytesRead } = await handle.read(cd, 0, cdSize, cdOffset);
    if (bytesRead < cdSize) return null;
    let total = 0;
    for (let at = 0, n = 0; n < entries; n++) {
      if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) return null;
      const uncompressed = cd.readUInt32LE(at + 24);
      if (uncompressed === 0xffffffff) return null;
      total += uncompressed;
      at += 46 + cd.readUInt16LE(at + 28) + cd.readUInt16LE(at + 30) + cd.readUInt16LE(at + 32);
    }
    return total;
  } finally {
    await handle.close();
  }
}

async function readText(filePath: string): Promise<string> {
  const handle = await open(filePath, 'r');
  try {
    // UTF-8 is at most 4 bytes a character: this many bytes hold the kept characters.
    const buffer = Buffer.alloc(Math.min(CONTENT_MAX_CHARS * 4, 4 * 1024 * 1024));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('extraction timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** officeparser picks the format by the path's extension: give it one, as a link beside the temp files. */
async function parseDocument(deps: Deps, storedPath: string, extension: string): Promise<string> {
  const store = fileStore(deps);
  await mkdir(store.tmpDir, { recursive: true });
  const link = path.join(store.tmpDir, `${randomBytes(12).toString('hex')}.extract.${extension}`);
  await symlink(storedPath, link);
  try {
    // Loaded on first use (it pulls in pdf.js): not a cost of every server start.
    const { default: officeParser } = await import('officeparser');
    return await withTimeout(officeParser.parseOfficeAsync(link, { outputErrorToConsole: false }), TIMEOUT_MS);
  } finally {
    await rm(link, { force: true });
  }
}

interface Pending {
  id: number;
  resourceId: number;
  sha256: string;
  size: number;
  mimeType: string;
}

async function extractOne(deps: Deps, version: Pending): Promise<string | null> {
  const storedPath = fileStore(deps).pathOf(version.sha256);
  if (version.mimeType.startsWith('text/')) return readText(storedPath);
  const extension = PARSER_EXTENSION[version.mimeType];
  if (!extension || version.size > EXTRACT_MAX_BYTES) return null;
  if (extension !== 'pdf') {
    const inflated = await zipInflatedSize(storedPath, version.size);
    if (inflated === null || inflated > MAX_INFLATED_BYTES) return null;
  }
  return parseDocument(deps, storedPath, extension);
}

const queues = new WeakMap<Deps['db'], Promise<unknown>>();

/**
 * Read every file waiting for extraction, one at a time. Calls are serialised per database, so the
 * job and a test can both call it; the promise resolves when nothing is waiting.
 */
export function runExtraction(deps: Deps, opts: { max?: number } = {}): Promise<{ done: number; failed: number }> {
  const previous = queues.get(deps.db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => drain(deps, opts.max ?? 1000));
  queues.set(deps.db, next);
  return next;
}

async function drain(deps: Deps, max: number): Promise<{ done: number; failed: number }> {
  let done = 0;
  let failed = 0;
  for (let n = 0; n < max; n++) {
    const version = get<Pending>(
      deps.db,
      `SELECT id, resource_id AS resourceId, sha256, size, mime_type AS mimeType FROM resource_versions
       WHERE extraction_state = 'pending' ORDER BY id LIMIT 1`
    );
    if (!version) break;
    let text: string | null = null;
    let ok = true;
    try {
      text = await extractOne(deps, version);
      ok = text !== null;
    } catch (err) {
      deps.log.warn({ err, versionId: version.id }, 'could not read the text of an uploaded file');
      ok = false;
    }
    const now = deps.clock.now();
    deps.db.transaction((tx) => {
      run(tx, 'UPDATE resource_versions SET extraction_state = @state, extracted_at = @now WHERE id = @id', {
        state: ok ? 'done' : 'failed',
        now,
        id: version.id
      });
      // Only the current file's text is searchable (a newer version may have arrived meanwhile).
      const current = get(tx, 'SELECT 1 FROM resources WHERE id = @resourceId AND current_version_id = @id', {
        resourceId: version.resourceId,
        id: version.id
      });
      if (current && text) setContent(tx, version.resourceId, text.replace(/\s+/g, ' ').trim());
    });
    if (ok) done++;
    else failed++;
  }
  return { done, failed };
}

/** Resolves when no extraction is running (shutdown waits for it before the database closes). */
export async function extractionIdle(deps: Pick<Deps, 'db'>): Promise<void> {
  await queues.get(deps.db)?.catch(() => undefined);
}

const busy = new WeakSet<Deps['db']>();

/** For the scheduler: start a run unless one is still going (a long PDF must not pile runs up behind it). */
export async function runExtractionJob(deps: Deps): Promise<{ done: number; failed: number } | null> {
  if (busy.has(deps.db)) return null;
  busy.add(deps.db);
  try {
    return await runExtraction(deps, { max: 20 });
  } finally {
    busy.delete(deps.db);
  }
}

/** Versions still waiting (tests, the admin dashboard). */
export function pendingExtractions(deps: Pick<Deps, 'db'>): number {
  return all<{ n: number }>(deps.db, "SELECT count(*) AS n FROM resource_versions WHERE extraction_state = 'pending'")[0]?.n ?? 0;
}
