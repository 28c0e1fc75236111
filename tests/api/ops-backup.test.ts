import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, MIGRATIONS_FOLDER, runMigrations } from '../../db/client.ts';
import { loadConfig } from '../../server/config.ts';
import { createBackup, integrityCheck, listBackups, pruneBackups, tableCounts, STORE } from '../../server/ops/backup.ts';
import { storePath } from '../../server/ops/fileStore.ts';
import { restoreBackup, RestoreRefused } from '../../server/ops/restore.ts';
import { backupBeforeMigrations, backupDue, runScheduledBackup } from '../../server/ops/scheduledBackup.ts';
import { HOUR } from '../../server/shared/clock.ts';
import { makeApp, TEST_ENV, type TestApp } from '../support/app.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const temps: string[] = [];
const children: ChildProcess[] = [];
let t: TestApp | null = null;

function temp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-ops-'));
  temps.push(dir);
  return dir;
}

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
  t = null;
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data directory with a migrated database, some bulk so the copy takes a moment, and uploads. */
function dataDirWithContent(): { dataDir: string; file: string } {
  const dataDir = temp();
  const file = path.join(dataDir, 'tfc.sqlite');
  const db = createDb(file);
  runMigrations(db);
  const insert = db.$client.prepare(
    'INSERT INTO outbox ("to", subject, text, created_at) VALUES (\'seed@example.gov\', ?, ?, 0)'
  );
  db.$client.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`seed ${i}`, 'x'.repeat(1000));
  })();
  db.$client.close();
  mkdirSync(path.join(dataDir, 'files', 'ab'), { recursive: true });
  writeFileSync(path.join(dataDir, 'files', 'ab', 'protocol.pdf'), 'a fictional protocol');
  writeFileSync(path.join(dataDir, 'files', 'template.docx'), Buffer.alloc(50_000, 3));
  mkdirSync(path.join(dataDir, 'archive'));
  writeFileSync(path.join(dataDir, 'archive', 'audit-2025.jsonl'), '{"id":1}\n');
  // In flight: never part of a backup.
  writeFileSync(path.join(dataDir, 'files', '.upload-123.partial'), 'half');
  mkdirSync(path.join(dataDir, 'files', 'tmp'));
  writeFileSync(path.join(dataDir, 'files', 'tmp', '0a1b.part'), 'half an upload');
  return { dataDir, file };
}

/**
 * Another process writing one row per transaction (synchronous=FULL, WAL) until killed; it prints
 * how many rows it has committed.
 */
function startWriter(file: string): { child: ChildProcess; committed: () => number } {
  const script = `
    const Database = require(${JSON.stringify(path.join(REPO, 'node_modules/better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL'); db.pragma('busy_timeout = 5000');
    const insert = db.prepare("INSERT INTO outbox (\\"to\\", subject, text, created_at) VALUES ('writer@example.gov', ?, ?, ?)");
    let n = 0;
    const stop = Date.now() + 20000;
    while (Date.now() < stop) { n++; insert.run('write ' + n, 'body of write ' + n, n); if (n % 5 === 0) process.stdout.write(n + '\\n'); }
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let committed = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const last = chunk.trim().split('\n').pop();
    if (last) committed = Number(last);
  });
  return { child, committed: () => committed };
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const writerRows = (db: Database.Database) =>
  db.prepare('SELECT id, subject, text, created_at AS n FROM outbox WHERE "to" = \'writer@example.gov\' ORDER BY id').all() as {
    id: number;
    subject: string;
    text: string;
    n: number;
  }[];

describe('backup and restore', () => {
  it('backs up a file database while another process writes, then restores it into an empty folder', async () => {
    const { dataDir, file } = dataDirWithContent();
    const writer = startWriter(file);
    await until(() => writer.committed() >= 20);

    // As the backup script does: its own connection, the copy in one step.
    const source = new Database(file, { fileMustExist: true });
    source.pragma('busy_timeout = 5000');
    const root = temp();
    const before = writer.committed();
    const result = await createBackup({ source, dataDir, root, now: Date.now(), pagesPerStep: 'all' });
    await until(() => writer.committed() >= before + 20);
    writer.child.kill('SIGKILL');
    await new Promise((r) => writer.child.once('exit', r));

    const m = result.manifest;
    expect(m.database.integrityCheck).toBe('ok');
    expect(m.migration).toMatch(/^\d{4}_/);
    expect(m.files.entries.map((e) => e.path)).toEqual([
      'archive/audit-2025.jsonl',
      'files/ab/protocol.pdf',
      'files/template.docx'
    ]);
    const snapshotWrites = m.tables.outbox! - 2000;
    expect(snapshotWrites).toBeGreaterThanOrEqual(before);

    const target = path.join(temp(), 'restored');
    const restored = await restoreBackup({ backupPath: root, dataDir: target });
    expect(restored.backup).toBe(result.dir);
    expect(restored.files).toBe(3);
    expect(readFileSync(path.join(target, 'archive', 'audit-2025.jsonl'), 'utf8')).toBe('{"id":1}\n');
    expect(readFileSync(path.join(target, 'files', 'ab', 'protocol.pdf'), 'utf8')).toBe('a fictional protocol');
    expect(readFileSync(path.join(target, 'files', 'template.docx'))).toEqual(Buffer.alloc(50_000, 3));
    expect(existsSync(path.join(target, 'files', '.upload-123.partial'))).toBe(false);

    const copy = new Database(path.join(target, 'tfc.sqlite'), { readonly: true });
    const live = new Database(file, { readonly: true });
    try {
      expect(integrityCheck(copy)).toBe('ok');
      expect(tableCounts(copy)).toEqual(m.tables);
      // A consistent snapshot: exactly the writer's first k commits, each as the source holds it.
      const copied = writerRows(copy);
      const all = writerRows(live);
      expect(copied.length).toBe(snapshotWrites);
      expect(all.length).toBeGreaterThan(copied.length);
      expect(copied.map((r) => r.n)).toEqual(Array.from({ length: copied.length }, (_, i) => i + 1));
      expect(copied).toEqual(all.slice(0, copied.length));
      expect(copy.pragma('foreign_key_check')).toEqual([]);
    } finally {
      copy.close();
      live.close();
      source.close();
    }
  });

  it('folds the server’s own writes into the copy as it goes (stepwise, same connection)', async () => {
    const { dataDir, file } = dataDirWithContent();
    const db = createDb(file);
    const insert = db.$client.prepare(
      'INSERT INTO outbox ("to", subject, text, created_at) VALUES (\'writer@example.gov\', ?, ?, ?)'
    );
    let n = 0;
    let done = false;
    const writes = (async () => {
      while (!done) {
        n++;
        insert.run(`write ${n}`, `body of write ${n}`, n);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const root = temp();
    const result = await createBackup({ source: db.$client, dataDir, root, now: Date.now(), pagesPerStep: 20 });
    const atEnd = n;
    done = true;
    await writes;
    const copy = new Database(path.join(result.dir, 'tfc.sqlite'), { readonly: true });
    try {
      expect(integrityCheck(copy)).toBe('ok');
      const rows = writerRows(copy);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(atEnd);
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    } finally {
      copy.close();
      db.$client.close();
    }
  });

  it('refuses to restore over a database or uploads, and the script exits non-zero saying why', async () => {
    const { dataDir, file } = dataDirWithContent();
    const source = new Database(file);
    const root = temp();
    await createBackup({ source, dataDir, root, now: Date.now() });
    source.close();

    await expect(restoreBackup({ backupPath: root, dataDir })).rejects.toThrow(/holds a database/);
    const uploadsOnly = temp();
    mkdirSync(path.join(uploadsOnly, 'files'));
    writeFileSync(path.join(uploadsOnly, 'files', 'left-over'), 'x');
    await expect(restoreBackup({ backupPath: root, dataDir: uploadsOnly })).rejects.toThrow(RestoreRefused);
    // Only the WAL of a live server is there (its main file about to be created): still refused.
    const walOnly = temp();
    writeFileSync(path.join(walOnly, 'tfc.sqlite-wal'), '');
    await expect(restoreBackup({ backupPath: root, dataDir: walOnly })).rejects.toThrow(/holds a database/);

    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/restore.ts', root, '--data-dir', dataDir], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test' }
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Restore refused: .*tfc\.sqlite exists/);
    // Nothing was touched.
    expect(readFileSync(path.join(dataDir, 'files', 'ab', 'protocol.pdf'), 'utf8')).toBe('a fictional protocol');
  });

  it('refuses a damaged backup: a changed database or a changed stored file', async () => {
    const { dataDir, file } = dataDirWithContent();
    const source = new Database(file);
    const root = temp();
    const result = await createBackup({ source, dataDir, root, now: Date.now() });
    source.close();

    const entry = result.manifest.files.entries.find((e) => e.path === 'files/ab/protocol.pdf')!;
    const stored = storePath(path.join(root, STORE), entry.sha256);
    writeFileSync(stored, 'tampered');
    const target = path.join(temp(), 'a');
    await expect(restoreBackup({ backupPath: result.dir, dataDir: target })).rejects.toThrow(
      /files\/ab\/protocol\.pdf is damaged/
    );
    expect(existsSync(path.join(target, 'tfc.sqlite'))).toBe(false);
    writeFileSync(stored, 'a fictional protocol');

    const db = new Database(path.join(result.dir, 'tfc.sqlite'));
    db.prepare('DELETE FROM outbox WHERE id = 1').run();
    db.close();
    await expect(restoreBackup({ backupPath: result.dir, dataDir: path.join(temp(), 'b') })).rejects.toThrow(/checksum/);
  });

  it('copies an unchanged upload once, and prunes old backups and the files only they named', async () => {
    const { dataDir, file } = dataDirWithContent();
    const source = new Database(file);
    const root = temp();
    const files = path.join(dataDir, 'files');
    const first = await createBackup({ source, dataDir, root, now: 1_000 });
    expect(first.filesAdded).toBe(3);
    const second = await createBackup({ source, dataDir, root, now: 2_000 });
    expect(second.filesAdded).toBe(0);
    writeFileSync(path.join(files, 'ab', 'protocol.pdf'), 'a revised fictional protocol');
    const third = await createBackup({ source, dataDir, root, now: 3_000 });
    expect(third.filesAdded).toBe(1);
    source.close();
    expect(listBackups(root).map((b) => b.manifest.createdAtMs)).toEqual([1_000, 2_000, 3_000]);

    const pruned = pruneBackups(root, 1);
    expect(pruned.removedBackups).toHaveLength(2);
    // The old protocol.pdf content was named only by the pruned backups.
    expect(pruned.removedFiles).toBe(1);
    expect(listBackups(root).map((b) => b.dir)).toEqual([third.dir]);
    // Keep 0 still keeps the newest verified backup.
    pruneBackups(root, 0);
    expect(listBackups(root).map((b) => b.dir)).toEqual([third.dir]);
    const target = path.join(temp(), 'r');
    await restoreBackup({ backupPath: root, dataDir: target });
    expect(readFileSync(path.join(target, 'files', 'ab', 'protocol.pdf'), 'utf8')).toBe('a revised fictional protocol');
  });

  it('schedules a backup by the age of the newest one, and keeps BACKUP_KEEP of them', async () => {
    const dataDir = temp();
    t = await makeApp({ env: { ...TEST_ENV, DATA_DIR: dataDir, BACKUP_KEEP: '2' } });
    expect(backupDue(t.deps)).toBe(true);
    await runScheduledBackup(t.deps);
    expect(backupDue(t.deps)).toBe(false);
    t.clock.advance(23 * HOUR);
    expect(backupDue(t.deps)).toBe(false);
    t.clock.advance(HOUR);
    expect(backupDue(t.deps)).toBe(true);
    await runScheduledBackup(t.deps);
    t.clock.advance(24 * HOUR);
    const third = await runScheduledBackup(t.deps);
    expect(third.pruned).toHaveLength(1);
    const kept = listBackups(path.join(dataDir, 'backups'));
    expect(kept.map((b) => b.manifest.createdAtMs)).toEqual([t.clock.now() - 24 * HOUR, t.clock.now()]);
    expect(kept[1]!.manifest.secretKeyId).toBeNull();
  });

  it('backs up before migrating a database that has pending migrations, and not a fresh one', async () => {
    const dataDir = temp();
    const config = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir });
    const fresh = createDb(path.join(temp(), 'fresh.sqlite'));
    expect(await backupBeforeMigrations(fresh, config, () => {})).toBeNull();
    fresh.$client.close();

    // A database from an older version: only the first migrations applied.
    const older = temp();
    cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalFile = path.join(older, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, 3) }));
    const db = createDb(path.join(dataDir, 'tfc.sqlite'));
    migrate(db, { migrationsFolder: older });
    const lines: string[] = [];
    const result = await backupBeforeMigrations(db, config, (line) => lines.push(line));
    expect(result).not.toBeNull();
    expect(result!.manifest.migration).toBe((journal.entries[2] as { tag: string }).tag);
    expect(lines.join('')).toMatch(/migration\(s\) to run/);
    runMigrations(db);
    expect(await backupBeforeMigrations(db, config, () => {})).toBeNull();
    db.$client.close();
  });
});
