import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import * as schema from './schema/index.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Durability settings for every connection (SECURITY.md): WAL, synchronous=FULL so a 2xx
 * means the write is on disk, foreign keys on, and a busy timeout instead of SQLITE_BUSY.
 */
export function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A 5 GB forum does not fit SQLite's 2 MB default page cache; mmap lets the OS page cache serve reads.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 1073741824');
  // A moderator's purge must not leave the removed text readable in free pages.
  sqlite.pragma('secure_delete = ON');
  const mode = String(sqlite.pragma('journal_mode', { simple: true }));
  const sync = Number(sqlite.pragma('synchronous', { simple: true }));
  // An in-memory database (tests) reports 'memory'; a file must be in WAL.
  if (sqlite.name !== ':memory:' && !sqlite.memory && mode !== 'wal') {
    throw new Error(`SQLite refused WAL mode (got ${mode})`);
  }
  if (sync !== 2) throw new Error(`SQLite synchronous is ${sync}, expected FULL (2)`);
}

/** Open (or create) a database file. A factory, not a singleton: tests open many. */
export function createDb(pathOrBuffer: string | Buffer): Db {
  const sqlite = new Database(pathOrBuffer as string);
  applyPragmas(sqlite);
  return drizzle(sqlite, { schema }) as Db;
}

export function runMigrations(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

export { schema };

/** A transaction handle (better-sqlite3 transactions are synchronous: no await inside). */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;
