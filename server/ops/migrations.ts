import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { MIGRATIONS_FOLDER } from '../../db/client.ts';

/** What drizzle's migrator compares: each journal entry's `when` is stored as created_at once applied. */
interface JournalEntry {
  tag: string;
  when: number;
}

export function readJournal(folder = MIGRATIONS_FOLDER): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries.map((e) => ({ tag: e.tag, when: e.when }));
}

export interface MigrationState {
  /** The newest applied migration's tag (null: none applied, or one this code does not know). */
  applied: string | null;
  /** The newest migration this code ships. */
  latest: string | null;
  /** Migrations this code ships that the database has not run yet. */
  pending: string[];
  /** The database ran a migration newer than this code knows (a downgrade): not safe to serve. */
  ahead: boolean;
}

export function migrationState(sqlite: Database.Database, journal = readJournal()): MigrationState {
  const table = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get() as
    { name: string } | undefined;
  const last = table
    ? (sqlite.prepare('SELECT created_at AS at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as
        { at: number | string } | undefined)
    : undefined;
  const lastAt = last ? Number(last.at) : -Infinity;
  const latest = journal[journal.length - 1] ?? null;
  return {
    applied: journal.find((e) => e.when === lastAt)?.tag ?? null,
    latest: latest?.tag ?? null,
    pending: journal.filter((e) => e.when > lastAt).map((e) => e.tag),
    ahead: latest !== null && lastAt > latest.when
  };
}
