import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { fsyncDir } from './fileStore.ts';

/**
 * Audit rows past AUDIT_RETENTION_DAYS leave the database only after they are safely in a file:
 * appended as JSON lines to DATA_DIR/archive/audit-YYYY.jsonl (the year of the row's time, UTC),
 * fsynced, and then deleted. The append-only trigger (migration audit_archive) lets a DELETE through
 * only while a permit row names an id up to which rows were archived, and the permit lives only
 * inside the deleting transaction.
 *
 * Re-running after a crash between the append and the delete does not duplicate rows: each file's
 * last line says the highest id it already holds.
 */

const BATCH = 5000;

export interface AuditRow {
  id: number;
  at: number;
  actor_id: number | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  ip: string;
  user_agent: string;
  detail: string | null;
}

export function archiveDir(dataDir: string): string {
  return path.join(dataDir, 'archive');
}

export function archiveFile(dataDir: string, year: number): string {
  return path.join(archiveDir(dataDir), `audit-${year}.jsonl`);
}

/** The id on the last complete line of an archive file (0 when empty or missing). */
export function lastArchivedId(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let end = size;
    let tail = '';
    // Read backwards until a complete last line is in hand (lines are short: a few hundred bytes).
    while (end > 0) {
      const start = Math.max(0, end - 65536);
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, start);
      tail = buf.toString('utf8') + tail;
      end = start;
      const lines = tail.split('\n').filter((l) => l.trim() !== '');
      // The first fragment may be cut; any line after it is whole.
      if (lines.length >= 2 || start === 0) {
        for (let i = lines.length - 1; i >= 0; i--) {
          try {
            return Number((JSON.parse(lines[i]!) as { id: number }).id) || 0;
          } catch {
            // A torn last line from a crash mid-append: look at the one before.
          }
        }
        if (start === 0) return 0;
      }
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

function appendLines(file: string, lines: string[]): void {
  const created = !existsSync(file);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a', 0o600);
  try {
    // A torn line left by a crash must not glue itself to the first new one.
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(file, 'r');
      try {
        readSync(rfd, last, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (last.toString() !== '\n') prefix = '\n';
    }
    writeSync(fd, prefix + lines.join('\n') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDir(path.dirname(file));
}

function present(row: AuditRow) {
  let detail: unknown = row.detail;
  try {
    detail = row.detail === null ? null : JSON.parse(row.detail);
  } catch {
    // Stored as text that is not JSON: keep it as it was.
  }
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    atMs: row.at,
    actorId: row.actor_id,
    actorEmail: row.actor_email,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    ip: row.ip,
    userAgent: row.user_agent,
    detail
  };
}

export interface ArchiveReport {
  archived: number;
  deleted: number;
  files: string[];
}

/** Moves audit rows older than `before` (UTC ms) into the yearly archive files, in batches. */
export function archiveAuditLog(sqlite: Database.Database, dataDir: string, before: number, maxBatches = 20): ArchiveReport {
  const report: ArchiveReport = { archived: 0, deleted: 0, files: [] };
  const select = sqlite.prepare('SELECT * FROM audit_log WHERE at < ? ORDER BY id LIMIT ?');
  const remove = sqlite.transaction((upToId: number) => {
    sqlite.prepare('INSERT INTO audit_archive_permit (id, up_to_id) VALUES (1, ?)').run(upToId);
    const changes = sqlite.prepare('DELETE FROM audit_log WHERE id <= ? AND at < ?').run(upToId, before).changes;
    sqlite.prepare('DELETE FROM audit_archive_permit').run();
    return changes;
  });
  for (let batch = 0; batch < maxBatches; batch++) {
    const rows = select.all(before, BATCH) as AuditRow[];
    if (rows.length === 0) break;
    const byYear = new Map<number, AuditRow[]>();
    for (const row of rows) {
      const year = new Date(row.at).getUTCFullYear();
      byYear.set(year, [...(byYear.get(year) ?? []), row]);
    }
    for (const [year, list] of byYear) {
      const file = archiveFile(dataDir, year);
      const already = lastArchivedId(file);
      const fresh = list.filter((r) => r.id > already);
      if (fresh.length) {
        appendLines(
          file,
          fresh.map((r) => JSON.stringify(present(r)))
        );
        report.archived += fresh.length;
      }
      if (!report.files.includes(file)) report.files.push(file);
    }
    report.deleted += remove(rows[rows.length - 1]!.id);
    if (rows.length < BATCH) break;
  }
  return report;
}
