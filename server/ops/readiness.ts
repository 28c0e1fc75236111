import type Database from 'better-sqlite3';
import type { Config } from '../config.ts';
import { freeBytes } from './disk.ts';
import { migrationState, readJournal } from './migrations.ts';

/**
 * /api/ready: may this process take traffic? Three checks, each with a short word on what failed.
 * Nothing in the answer names a path, a table or a version: it is public.
 */

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; disk: ReadinessCheck };
}

class ProbeRollback extends Error {}

/** Takes the write lock and writes a row, then rolls back: proves writes work without leaving one. */
function databaseWritable(sqlite: Database.Database): ReadinessCheck {
  const probe = sqlite.transaction(() => {
    sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('__ready_probe', 'null', 0)").run();
    throw new ProbeRollback();
  });
  try {
    probe.immediate();
  } catch (err) {
    if (err instanceof ProbeRollback) return { ok: true, detail: 'writable' };
    const code = (err as { code?: string }).code ?? 'error';
    return { ok: false, detail: code === 'SQLITE_BUSY' ? 'busy: another writer holds the lock' : 'not writable' };
  }
  return { ok: false, detail: 'not writable' };
}

let journal: ReturnType<typeof readJournal> | null = null;

function migrationsCurrent(sqlite: Database.Database): ReadinessCheck {
  journal ??= readJournal();
  const state = migrationState(sqlite, journal);
  if (state.ahead) return { ok: false, detail: 'the database is newer than this version of the program' };
  if (state.pending.length) return { ok: false, detail: 'migrations not applied' };
  return { ok: true, detail: 'current' };
}

function diskSpace(config: Config): ReadinessCheck {
  try {
    return freeBytes(config.dataDir) >= config.readyMinFreeBytes
      ? { ok: true, detail: 'enough free space' }
      : { ok: false, detail: 'free space below READY_MIN_FREE_MB' };
  } catch {
    return { ok: false, detail: 'free space unknown' };
  }
}

export function readiness(sqlite: Database.Database, config: Config): Readiness {
  const checks = { database: databaseWritable(sqlite), migrations: migrationsCurrent(sqlite), disk: diskSpace(config) };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
