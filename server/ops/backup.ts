import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, fsyncFile, sha256File, storeFile } from './fileStore.ts';
import { acquireLock } from './lock.ts';
import { migrationState, readJournal } from './migrations.ts';

/**
 * Online backups. A backup root (BACKUP_DIR) holds one folder per backup, named by its UTC time,
 * and one content-addressed store `files/` shared by all of them, so an upload is copied once:
 *
 *   BACKUP_DIR/2026-01-05T12-00-00-000Z/tfc.sqlite      the database, checked and in rollback-journal mode
 *   BACKUP_DIR/2026-01-05T12-00-00-000Z/manifest.json   what it holds, with checksums
 *   BACKUP_DIR/files/ab/ab12…                           upload contents, by SHA-256
 *
 * A backup is written under a `.partial-…` name and renamed only after it was verified: a folder
 * with a manifest is a verified backup, nothing else is.
 */

export const MANIFEST = 'manifest.json';
export const BACKUP_DB = 'tfc.sqlite';
export const STORE = 'files';
const PARTIAL_PREFIX = '.partial-';
const NAME = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z(-\d+)?$/;

/** The folders of DATA_DIR a backup copies besides the database: uploads, and the audit archive (its only copy). */
export const DATA_FOLDERS = ['files', 'archive'] as const;

export interface FileEntry {
  /** Relative to the data directory, with forward slashes: files/ab/cd/<sha256>, archive/audit-2025.jsonl. */
  path: string;
  sha256: string;
  bytes: number;
  mtimeMs: number;
}

export interface Manifest {
  format: 1;
  createdAt: string;
  createdAtMs: number;
  appVersion: string;
  /** The newest migration the database had run (drizzle journal tag). */
  migration: string | null;
  database: { file: string; bytes: number; sha256: string; integrityCheck: 'ok' };
  /** Rows per table in the copy, counted after the copy was made (restore counts again and compares). */
  tables: Record<string, number>;
  files: { count: number; bytes: number; entries: FileEntry[] };
  /** A fingerprint of the SECRET_KEY in use (never the key): restore says whether the target's key matches. */
  secretKeyId: string | null;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  /** Files this backup added to the store (the rest were already there). */
  filesAdded: number;
  seconds: number;
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A fingerprint of a hex key: enough to tell two keys apart, useless for recovering one. */
export function secretKeyId(hexKey: string | null): string | null {
  return hexKey ? createHash('sha256').update(`tfc secret key id\n${hexKey}`).digest('hex').slice(0, 16) : null;
}

/** Row counts of every table (including the full-text index), by name. */
export function tableCounts(sqlite: Database.Database): Record<string, number> {
  const names = (
    sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  return Object.fromEntries(
    names.map((name) => [
      name,
      (sqlite.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n
    ])
  );
}

export function integrityCheck(sqlite: Database.Database): string {
  const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}

function backupName(ms: number, root: string): string {
  const base = new Date(ms).toISOString().replace(/[:.]/g, '-');
  let name = base;
  for (let i = 1; existsSync(path.join(root, name)); i++) name = `${base}-${i}`;
  return name;
}

export interface BackupListing {
  name: string;
  dir: string;
  manifest: Manifest;
}

/** Verified backups in a root, oldest first. */
export function listBackups(root: string): BackupListing[] {
  if (!existsSync(root)) return [];
  const out: BackupListing[] = [];
  for (const name of readdirSync(root).filter((n) => NAME.test(n))) {
    const dir = path.join(root, name);
    try {
      out.push({ name, dir, manifest: JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest });
    } catch {
      // No readable manifest: not a finished backup.
    }
  }
  return out.sort((a, b) => a.manifest.createdAtMs - b.manifest.createdAtMs || a.name.localeCompare(b.name));
}

export function latestBackup(root: string): BackupListing | null {
  return listBackups(root).pop() ?? null;
}

async function listFiles(dir: string, prefix: string): Promise<{ rel: string; full: string; bytes: number; mtimeMs: number }[]> {
  const out: { rel: string; full: string; bytes: number; mtimeMs: number }[] = [];
  const walk = async (current: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      // Uploads in flight (the file store stages them in files/tmp as *.part) are not data yet.
      if (rel === 'files' && entry.name === 'tmp') continue;
      if (entry.name.startsWith('.') || /\.(part|partial|tmp)$/.test(entry.name)) continue;
      const full = path.join(current, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(full, relPath);
      else if (entry.isFile()) {
        const s = await stat(full).catch(() => null);
        if (s) out.push({ rel: relPath, full, bytes: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  await walk(dir, prefix);
  return out;
}

export interface BackupOptions {
  /** The database to copy: the server's own connection in-process, or one the script opened. */
  source: Database.Database;
  /** DATA_DIR: its DATA_FOLDERS are copied. */
  dataDir: string;
  root: string;
  now: number;
  secretKey?: string | null;
  /**
   * Pages copied per step; the event loop runs between steps. The server's own connection uses a
   * modest number, so requests keep flowing, and its own writes are folded into the copy as it goes.
   * A separate connection (the backup script) must copy in ONE step: SQLite restarts a stepwise copy
   * whenever another connection writes, which under steady load would never finish. In WAL mode that
   * one long read does not block the server's writes.
   */
  pagesPerStep?: number | 'all';
}

/**
 * Takes one backup: the database through SQLite's online backup API (a consistent snapshot while
 * the server keeps writing), then the uploads by content hash, then checks the copy and writes the
 * manifest. Throws if anything fails; the half-written folder is removed.
 */
export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  mkdirSync(opts.root, { recursive: true });
  const release = acquireLock(path.join(opts.root, '.lock'), 'a backup is already running in this folder');
  const name = backupName(opts.now, opts.root);
  const partial = path.join(opts.root, `${PARTIAL_PREFIX}${name}`);
  try {
    mkdirSync(partial, { recursive: true });
    const dbCopy = path.join(partial, BACKUP_DB);
    const rate = opts.pagesPerStep === 'all' ? 0x7fffffff : (opts.pagesPerStep ?? 1000);
    await opts.source.backup(dbCopy, { progress: () => rate });

    // Database first, uploads second: a file always lands before the row that names it, so every
    // row in this snapshot names a file that is already on disk. Likewise archived audit rows are
    // in their file before they leave the database.
    const previous = latestBackup(opts.root);
    const known = new Map((previous?.manifest.files.entries ?? []).map((e) => [e.path, e]));
    const store = path.join(opts.root, STORE);
    const entries: FileEntry[] = [];
    let filesAdded = 0;
    const files = (await Promise.all(DATA_FOLDERS.map((folder) => listFiles(path.join(opts.dataDir, folder), folder))))
      .flat()
      .sort((a, b) => a.rel.localeCompare(b.rel));
    for (const file of files) {
      const before = known.get(file.rel);
      const unchanged = before && before.bytes === file.bytes && before.mtimeMs === file.mtimeMs ? before.sha256 : undefined;
      let stored;
      try {
        stored = await storeFile(store, file.full, unchanged);
      } catch (err) {
        // Deleted between the listing and the copy: the snapshot's rows no longer name it either.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (stored.added) filesAdded++;
      entries.push({ path: file.rel, sha256: stored.sha256, bytes: stored.bytes, mtimeMs: file.mtimeMs });
    }

    const copy = new Database(dbCopy);
    let tables: Record<string, number>;
    let migration: string | null;
    try {
      // One self-contained file: no -wal beside it to forget when the backup is moved.
      copy.pragma('journal_mode = DELETE');
      const check = integrityCheck(copy);
      if (check !== 'ok') throw new Error(`the database copy failed its integrity check: ${check}`);
      tables = tableCounts(copy);
      migration = migrationState(copy, readJournal()).applied;
    } finally {
      copy.close();
    }
    fsyncFile(dbCopy);
    const db = await sha256File(dbCopy);
    const manifest: Manifest = {
      format: 1,
      createdAt: new Date(opts.now).toISOString(),
      createdAtMs: opts.now,
      appVersion: appVersion(),
      migration,
      database: { file: BACKUP_DB, bytes: db.bytes, sha256: db.sha256, integrityCheck: 'ok' },
      tables,
      files: { count: entries.length, bytes: entries.reduce((n, e) => n + e.bytes, 0), entries },
      secretKeyId: secretKeyId(opts.secretKey ?? null)
    };
    const manifestFile = path.join(partial, MANIFEST);
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 1) + '\n', { mode: 0o600 });
    fsyncFile(manifestFile);
    fsyncDir(partial);
    const dir = path.join(opts.root, name);
    renameSync(partial, dir);
    fsyncDir(opts.root);
    return { dir, manifest, filesAdded, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  } finally {
    release();
  }
}

export interface PruneResult {
  removedBackups: string[];
  removedFiles: number;
}

/**
 * Keeps the newest `keep` backups (at least one: the newest verified backup is never removed),
 * removes older ones and any partial folder left by a crash, then the stored files no remaining
 * backup names.
 */
export function pruneBackups(root: string, keep: number): PruneResult {
  const result: PruneResult = { removedBackups: [], removedFiles: 0 };
  if (!existsSync(root)) return result;
  const release = acquireLock(path.join(root, '.lock'), 'a backup is running in this folder');
  try {
    const backups = listBackups(root);
    const doomed = backups.slice(0, Math.max(0, backups.length - Math.max(1, keep)));
    for (const b of doomed) {
      rmSync(b.dir, { recursive: true, force: true });
      result.removedBackups.push(b.name);
    }
    for (const name of readdirSync(root).filter((n) => n.startsWith(PARTIAL_PREFIX))) {
      rmSync(path.join(root, name), { recursive: true, force: true });
    }
    const wanted = new Set(listBackups(root).flatMap((b) => b.manifest.files.entries.map((e) => e.sha256)));
    const store = path.join(root, STORE);
    if (existsSync(store)) {
      rmSync(path.join(store, 'incoming'), { recursive: true, force: true });
      for (const prefix of readdirSync(store)) {
        const sub = path.join(store, prefix);
        if (!statSync(sub).isDirectory()) continue;
        for (const hash of readdirSync(sub)) {
          if (!wanted.has(hash)) {
            rmSync(path.join(sub, hash), { force: true });
            result.removedFiles++;
          }
        }
      }
    }
    fsyncDir(root);
  } finally {
    release();
  }
  return result;
}
