import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import {
  BACKUP_DB,
  DATA_FOLDERS,
  integrityCheck,
  listBackups,
  MANIFEST,
  secretKeyId,
  STORE,
  tableCounts,
  type Manifest
} from './backup.ts';
import { copyHashed, fsyncDir, sha256File, storePath } from './fileStore.ts';
import { acquireLock } from './lock.ts';
import { migrationState, readJournal } from './migrations.ts';

/** The restore will not run: the message says why and what to do. */
export class RestoreRefused extends Error {}

const DB_NAMES = ['tfc.sqlite', 'tfc.sqlite-wal', 'tfc.sqlite-shm', 'tfc.sqlite-journal'];

/** A backup folder, or a backup root (then its newest backup). */
export function resolveBackup(backupPath: string): { dir: string; manifest: Manifest; root: string } {
  const dir = path.resolve(backupPath);
  if (existsSync(path.join(dir, MANIFEST))) {
    return { dir, manifest: JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest, root: path.dirname(dir) };
  }
  const newest = listBackups(dir).pop();
  if (!newest) throw new RestoreRefused(`No backup found at ${dir}: expected a folder with ${MANIFEST}, or a folder of backups.`);
  return { dir: newest.dir, manifest: newest.manifest, root: dir };
}

/**
 * Why a data directory cannot take a restore, or null when it can. "Live" is decided by what is on
 * disk: a database file (or its -wal/-shm, which exist while a server has it open) or any upload
 * means the directory is in use or holds data, whether or not a server is running right now.
 */
export function targetProblem(dataDir: string): string | null {
  for (const name of DB_NAMES) {
    if (existsSync(path.join(dataDir, name))) {
      return `${path.join(dataDir, name)} exists: the target holds a database (a server may be running on it). Restore only into an empty data directory.`;
    }
  }
  for (const folder of DATA_FOLDERS) {
    const dir = path.join(dataDir, folder);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      return `${dir} is not empty: the target holds data. Restore only into an empty data directory.`;
    }
  }
  return null;
}

export interface RestoreResult {
  backup: string;
  manifest: Manifest;
  files: number;
  /** Migrations the server will run when it next starts (it backs up first). */
  pendingMigrations: string[];
  warnings: string[];
}

/**
 * Checks a backup against its manifest (database checksum, integrity, row counts; each upload's
 * hash as it is copied) and restores it into an empty data directory. The database is put in place
 * last and never over an existing one, so an interrupted restore leaves no database behind.
 */
export async function restoreBackup(opts: {
  backupPath: string;
  dataDir: string;
  secretKey?: string | null;
}): Promise<RestoreResult> {
  const { dir, manifest, root } = resolveBackup(opts.backupPath);
  if (manifest.format !== 1) throw new RestoreRefused(`Unknown backup format ${String(manifest.format)}.`);
  const dataDir = path.resolve(opts.dataDir);
  const problem = targetProblem(dataDir);
  if (problem) throw new RestoreRefused(problem);
  mkdirSync(dataDir, { recursive: true });
  const release = acquireLock(path.join(dataDir, '.restore.lock'), 'another restore is running into this data directory');
  const staging = path.join(dataDir, `.restore-${randomBytes(6).toString('hex')}`);
  try {
    const source = path.join(dir, manifest.database.file || BACKUP_DB);
    const sum = await sha256File(source);
    if (sum.sha256 !== manifest.database.sha256) {
      throw new RestoreRefused(`The backup's database does not match its manifest checksum: the backup is damaged (${source}).`);
    }
    mkdirSync(staging);
    const stagedDb = path.join(staging, BACKUP_DB);
    const copied = await copyHashed(source, stagedDb);
    if (copied.sha256 !== manifest.database.sha256) throw new RestoreRefused('The database changed while it was being copied.');
    const db = new Database(stagedDb);
    let pendingMigrations: string[];
    try {
      const check = integrityCheck(db);
      if (check !== 'ok') throw new RestoreRefused(`The backup's database failed its integrity check: ${check}`);
      const counts = tableCounts(db);
      const differ = Object.keys({ ...counts, ...manifest.tables }).filter((t) => counts[t] !== manifest.tables[t]);
      if (differ.length) throw new RestoreRefused(`Row counts differ from the manifest for: ${differ.join(', ')}.`);
      pendingMigrations = migrationState(db, readJournal()).pending;
    } finally {
      db.close();
    }

    for (const folder of DATA_FOLDERS) mkdirSync(path.join(staging, folder));
    for (const entry of manifest.files.entries) {
      const parts = entry.path.split('/');
      if (
        !(DATA_FOLDERS as readonly string[]).includes(parts[0]!) ||
        parts.length < 2 ||
        parts.some((p) => p === '..' || p === '' || p === '.')
      ) {
        throw new RestoreRefused(`The manifest names an unsafe file path: ${entry.path}`);
      }
      const from = storePath(path.join(root, STORE), entry.sha256);
      if (!existsSync(from)) throw new RestoreRefused(`The backup store has no copy of ${entry.path} (${entry.sha256}).`);
      const to = path.join(staging, ...parts);
      const got = await copyHashed(from, to);
      if (got.sha256 !== entry.sha256)
        throw new RestoreRefused(`The stored copy of ${entry.path} is damaged (checksum mismatch).`);
      // Keep the modification time, so the next backup recognises the file without reading it.
      utimesSync(to, new Date(), new Date(entry.mtimeMs));
    }

    // Uploads and archive first, database last: a database in place means the restore finished.
    for (const folder of DATA_FOLDERS) {
      const target = path.join(dataDir, folder);
      if (existsSync(target)) rmdirSync(target);
      renameSync(path.join(staging, folder), target);
    }
    linkSync(stagedDb, path.join(dataDir, BACKUP_DB));
    fsyncDir(dataDir);

    const warnings: string[] = [];
    const keyId = secretKeyId(opts.secretKey ?? readKeyFile(dataDir));
    if (manifest.secretKeyId && keyId === null) {
      warnings.push(
        'No SECRET_KEY is set and the data directory has no secret.key: put back the key this backup was made with, ' +
          'or two-step verification and status links will not work (see docs/operations.md).'
      );
    } else if (manifest.secretKeyId && keyId !== manifest.secretKeyId) {
      warnings.push('The SECRET_KEY in use is not the one this backup was made with: two-step verification codes will fail.');
    }
    return { backup: dir, manifest, files: manifest.files.entries.length, pendingMigrations, warnings };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

function readKeyFile(dataDir: string): string | null {
  const file = path.join(dataDir, 'secret.key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}
