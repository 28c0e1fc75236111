import type Database from 'better-sqlite3';
import { DAY } from '../../shared/clock.ts';

export const WEEKS = 12;

/** The start of each of the last WEEKS seven-day periods, oldest first; the last one ends now. */
export function weekStarts(now: number): number[] {
  return Array.from({ length: WEEKS }, (_, i) => now - (WEEKS - i) * 7 * DAY);
}

/**
 * Rows per week of a table whose integer id grows with its time column (posts, threads): a binary
 * search over the id index finds each week's first id, then each count is an index range. A
 * million-post table has no index on its time, and a dashboard must not read every post.
 */
export function countByWeekOnId(sqlite: Database.Database, table: 'posts' | 'threads', starts: number[], now: number): number[] {
  const bounds = sqlite.prepare(`SELECT min(id) AS lo, max(id) AS hi FROM ${table}`).get() as {
    lo: number | null;
    hi: number | null;
  };
  if (bounds.lo === null || bounds.hi === null) return starts.map(() => 0);
  const firstFrom = sqlite.prepare(`SELECT created_at AS at FROM ${table} WHERE id >= ? ORDER BY id LIMIT 1`);
  const atOrAfter = (x: number) => (firstFrom.get(x) as { at: number } | undefined)?.at ?? Infinity;
  // The smallest id x such that the first row at or after x was created at or after t.
  const boundary = (t: number) => {
    let lo = bounds.lo!;
    let hi = bounds.hi! + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (atOrAfter(mid) >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const edges = [...starts, now].map(boundary);
  const count = sqlite.prepare(`SELECT count(*) AS n FROM ${table} WHERE id >= ? AND id < ?`);
  return starts.map((_, i) => (count.get(edges[i], edges[i + 1]) as { n: number }).n);
}

/** Rows per week where the time column is indexed (or the table is small). */
export function countByWeek(
  sqlite: Database.Database,
  sql: string,
  starts: number[],
  now: number,
  params: unknown[] = []
): number[] {
  const statement = sqlite.prepare(sql);
  return starts.map((start, i) => (statement.get(...params, start, starts[i + 1] ?? now) as { n: number }).n);
}
