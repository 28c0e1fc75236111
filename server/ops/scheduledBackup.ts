import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/client.ts';
import type { Config } from '../config.ts';
import type { Deps } from '../context.ts';
import { HOUR, MINUTE } from '../shared/clock.ts';
import { createBackup, latestBackup, pruneBackups, type BackupResult } from './backup.ts';
import { migrationState } from './migrations.ts';
import { noteBackup } from './scrape.ts';

/** SECRET_KEY, or DATA_DIR/secret.key if it exists (never creates one): only its fingerprint goes in a manifest. */
export function currentSecretKey(config: Config): string | null {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

export async function backupNow(db: Db, config: Config, now: number): Promise<BackupResult> {
  const result = await createBackup({
    source: db.$client,
    dataDir: config.dataDir,
    root: config.backupDir,
    now,
    secretKey: currentSecretKey(config)
  });
  noteBackup(config.backupDir, result.manifest.createdAtMs);
  return result;
}

const lastTaken = new WeakMap<Deps, number>();

/**
 * The in-server schedule: a backup is due when the newest one in BACKUP_DIR is BACKUP_INTERVAL_HOURS
 * old (read from disk once, then remembered), so a restart neither skips one nor takes an extra one.
 */
export function backupDue(deps: Deps): boolean {
  const { config } = deps;
  if (config.backupIntervalHours === 0) return false;
  let last = lastTaken.get(deps);
  if (last === undefined) {
    try {
      last = latestBackup(config.backupDir)?.manifest.createdAtMs ?? -Infinity;
    } catch {
      // Unreadable BACKUP_DIR: due now, and the backup itself reports (and counts) the failure.
      return true;
    }
    lastTaken.set(deps, last);
  }
  // A few minutes' slack, so a daily backup does not drift later by one check interval a day.
  return deps.clock.now() - last >= config.backupIntervalHours * HOUR - 5 * MINUTE;
}

/** Takes the scheduled backup, then prunes those beyond BACKUP_KEEP. */
export async function runScheduledBackup(deps: Deps): Promise<BackupResult & { pruned: string[] }> {
  const { config } = deps;
  const result = await backupNow(deps.db, config, deps.clock.now());
  lastTaken.set(deps, result.manifest.createdAtMs);
  const pruned = pruneBackups(config.backupDir, config.backupKeep);
  deps.log.info(
    {
      job: 'backup',
      dir: result.dir,
      seconds: Math.round(result.seconds * 10) / 10,
      files: result.manifest.files.count,
      filesAdded: result.filesAdded,
      pruned: pruned.removedBackups.length
    },
    'backup finished'
  );
  return { ...result, pruned: pruned.removedBackups };
}

/**
 * At start, before migrations: if the database has data and migrations are pending, back it up
 * first, so an upgrade that goes wrong can be undone by restoring. A fresh database needs none.
 * Throws (and the server does not start) if that backup fails.
 */
export async function backupBeforeMigrations(db: Db, config: Config, log: (line: string) => void): Promise<BackupResult | null> {
  const state = migrationState(db.$client);
  if (state.pending.length === 0 || state.applied === null) return null;
  log(`${state.pending.length} migration(s) to run (${state.pending.join(', ')}): backing up to ${config.backupDir} first.\n`);
  try {
    const result = await backupNow(db, config, Date.now());
    log(`Backup written to ${result.dir}.\n`);
    return result;
  } catch (err) {
    throw new Error(
      `the backup before migrating failed (${err instanceof Error ? err.message : String(err)}); ` +
        'nothing was migrated. Fix BACKUP_DIR (space, permissions) and start again.',
      { cause: err }
    );
  }
}
