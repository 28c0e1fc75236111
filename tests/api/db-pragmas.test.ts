import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPragmas, createDb } from '../../db/client.ts';

/** "Every connection asserts WAL and synchronous=FULL at open" (issue 7): a 2xx means the write is on disk. */

const dir = mkdtempSync(path.join(os.tmpdir(), 'tfc-pragmas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in connection whose pragmas answer what a misconfigured SQLite would. */
function fakeConnection(answers: { journal_mode: string; synchronous: number }, name = path.join(dir, 'fake.sqlite')) {
  return {
    name,
    memory: name === ':memory:',
    pragma(source: string, options?: { simple?: boolean }) {
      const key = source.split('=')[0]!.trim() as keyof typeof answers;
      if (source.includes('=')) return [];
      return options?.simple ? answers[key] : [{ [key]: answers[key] }];
    }
  } as unknown as Database.Database;
}

describe('database connections', () => {
  it('open a file database in WAL mode with synchronous=FULL, foreign keys on and a busy timeout', () => {
    const db = createDb(path.join(dir, 'real.sqlite'));
    const sqlite = db.$client;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    sqlite.exec('CREATE TABLE t (x INTEGER)');
    sqlite.prepare('INSERT INTO t VALUES (1)').run();
    // Committed through the WAL: a second connection sees it before any checkpoint.
    expect(statSync(path.join(dir, 'real.sqlite-wal')).size).toBeGreaterThan(0);
    const other = new Database(path.join(dir, 'real.sqlite'), { readonly: true });
    expect(other.prepare('SELECT x FROM t').pluck().get()).toBe(1);
    other.close();
    sqlite.close();
  });

  it('accept an in-memory database (tests), which reports journal mode "memory"', () => {
    const db = createDb(':memory:');
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('memory');
    expect(db.$client.pragma('synchronous', { simple: true })).toBe(2);
    db.$client.close();
  });

  it('refuse a file database that did not switch to WAL', () => {
    expect(() => applyPragmas(fakeConnection({ journal_mode: 'delete', synchronous: 2 }))).toThrow(
      /refused WAL mode \(got delete\)/
    );
  });

  it('refuse a connection whose synchronous setting is not FULL', () => {
    expect(() => applyPragmas(fakeConnection({ journal_mode: 'wal', synchronous: 1 }))).toThrow(
      /synchronous is 1, expected FULL \(2\)/
    );
    expect(() => applyPragmas(fakeConnection({ journal_mode: 'memory', synchronous: 0 }, ':memory:'))).toThrow(
      /synchronous is 0/
    );
  });

  it('that serve requests are opened only through createDb (server/ops opens backup copies, which are not served)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const ops = path.join(root, 'server', 'ops') + path.sep;
    const serving = walk(path.join(root, 'server')).filter((f) => !f.startsWith(ops));
    expect(serving.length).toBeGreaterThan(20);
    const opening = serving.filter((f) =>
      /new Database\(|from 'better-sqlite3'/.test(readFileSync(f, 'utf8').replace(/import type [^;]+;/g, ''))
    );
    expect(opening.map((f) => path.relative(root, f))).toEqual([]);
    expect(readFileSync(path.join(root, 'server', 'main.ts'), 'utf8')).toMatch(/createDb\(/);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(full);
    return /\.(ts|mjs|js)$/.test(e.name) ? [full] : [];
  });
}
