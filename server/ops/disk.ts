import { existsSync, statfsSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Config } from '../config.ts';

/** Where uploaded files live (main.ts creates it; the file store writes there). */
export function filesDir(config: Config): string {
  return path.join(config.dataDir, 'files');
}

export function databaseFile(config: Config): string {
  return path.join(config.dataDir, 'tfc.sqlite');
}

export interface DatabaseSize {
  /** The main file (for an in-memory database, its pages). */
  bytes: number;
  /** The write-ahead log not yet checkpointed into the main file. */
  walBytes: number;
}

export function databaseSize(sqlite: Database.Database): DatabaseSize {
  if (sqlite.memory || sqlite.name === ':memory:' || sqlite.name === '') {
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
    return { bytes: pages * pageSize, walBytes: 0 };
  }
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  return { bytes: size(sqlite.name), walBytes: size(`${sqlite.name}-wal`) };
}

export interface FolderSize {
  files: number;
  bytes: number;
}

/** Every regular file under `dir`, recursively (symbolic links are not followed). */
export async function folderSize(dir: string): Promise<FolderSize> {
  const total: FolderSize = { files: 0, bytes: 0 };
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        total.files++;
        total.bytes += (await stat(full).catch(() => ({ size: 0 }))).size;
      }
    }
  };
  await walk(dir);
  return total;
}

const FOLDER_CACHE_MS = 5 * 60_000;
const folderCache = new Map<string, { at: number; value: Promise<FolderSize> }>();

/**
 * The files folder's size, walked at most every 5 minutes: a scrape every 15 s must not stat
 * every upload each time.
 */
export function cachedFolderSize(dir: string): Promise<FolderSize> {
  const hit = folderCache.get(dir);
  if (hit && Date.now() - hit.at < FOLDER_CACHE_MS) return hit.value;
  const value = folderSize(dir);
  folderCache.set(dir, { at: Date.now(), value });
  return value;
}

/** Bytes free to this process on the file system that holds `dir` (or its nearest existing parent). */
export function freeBytes(dir: string): number {
  let current = path.resolve(dir);
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  const fsStats = statfsSync(current);
  return Number(fsStats.bavail) * Number(fsStats.bsize);
}
