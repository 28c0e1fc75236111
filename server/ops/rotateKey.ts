import type Database from 'better-sqlite3';
import { SecretBox } from '../shared/secretBox.ts';

/**
 * SECRET_KEY rotation: every value sealed with the old key is opened and sealed again with the new
 * one, in one transaction (all or nothing). A new column sealed with the key must be added here.
 */
export const SEALED_COLUMNS = [
  { table: 'members', key: 'id', column: 'totp_key' },
  { table: 'members', key: 'id', column: 'totp_pending_key' },
  { table: 'membership_requests', key: 'id', column: 'status_token_sealed' }
] as const;

export class KeyMismatch extends Error {}

/** Which of the keys opens the sealed values in this database ('none': none are sealed yet). */
export function keyInUse(sqlite: Database.Database, keys: Record<'old' | 'new', string>): 'old' | 'new' | 'none' | 'neither' {
  for (const { table, column } of SEALED_COLUMNS) {
    const row = sqlite.prepare(`SELECT ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL LIMIT 1`).get() as
      { sealed: string } | undefined;
    if (!row) continue;
    for (const which of ['old', 'new'] as const) {
      try {
        new SecretBox(keys[which]).open(row.sealed);
        return which;
      } catch {
        // Not this key.
      }
    }
    return 'neither';
  }
  return 'none';
}

/** Re-seals every sealed value with `newKey`. Throws KeyMismatch, changing nothing, if one does not open with `oldKey`. */
export function resealAll(sqlite: Database.Database, oldKey: string, newKey: string): number {
  const from = new SecretBox(oldKey);
  const to = new SecretBox(newKey);
  return sqlite.transaction(() => {
    let count = 0;
    for (const { table, key, column } of SEALED_COLUMNS) {
      const rows = sqlite.prepare(`SELECT ${key} AS id, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL`).all() as {
        id: number;
        sealed: string;
      }[];
      const update = sqlite.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`);
      for (const row of rows) {
        let plain: Uint8Array;
        try {
          plain = from.open(row.sealed);
        } catch {
          throw new KeyMismatch(`${table}.${column} of row ${row.id} does not open with the current key: is it the right one?`);
        }
        update.run(to.seal(plain), row.id);
        count++;
      }
    }
    return count;
  })();
}
