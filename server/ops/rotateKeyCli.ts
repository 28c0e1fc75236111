// `npm run rotate-key -- [--data-dir DIR]`, with the server STOPPED (docs/operations.md, "Rotate secrets").
// The current key is SECRET_KEY or DATA_DIR/secret.key; the new one is NEW_SECRET_KEY or freshly generated.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '../../db/client.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { parseArgs } from './cliArgs.ts';
import { databaseFile } from './disk.ts';
import { fsyncDir, fsyncFile } from './fileStore.ts';
import { keyInUse, KeyMismatch, resealAll } from './rotateKey.ts';

const HEX_KEY = /^[0-9a-f]{64}$/i;

function main(): number {
  const args = parseArgs(process.argv.slice(2), ['data-dir']);
  if (args.error || args.positional.length) {
    process.stderr.write(`${args.error ?? 'No arguments expected.'}\nUsage: npm run rotate-key -- [--data-dir DIR]\n`);
    return 2;
  }
  const config = loadConfig({ ...process.env, ...(args.options['data-dir'] ? { DATA_DIR: args.options['data-dir'] } : {}) });
  const keyFile = path.join(config.dataDir, 'secret.key');
  const pending = `${keyFile}.new`;
  const fromEnv = config.secretKey !== null;
  const oldKey = config.secretKey ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null);
  if (!oldKey) throw new ConfigError(`No current key: SECRET_KEY is unset and ${keyFile} does not exist.`);
  const requested = process.env.NEW_SECRET_KEY;
  if (requested !== undefined && !HEX_KEY.test(requested))
    throw new ConfigError('NEW_SECRET_KEY must be 64 hexadecimal characters.');
  const file = databaseFile(config);
  if (!existsSync(file)) throw new ConfigError(`No database at ${file}.`);
  // The server's own pragmas (WAL, synchronous=FULL): the re-sealed values are on disk when this says so.
  const sqlite = createDb(file).$client;
  try {
    // A run that stopped after re-sealing but before swapping the key file: finish it.
    if (!fromEnv && existsSync(pending)) {
      const newKey = readFileSync(pending, 'utf8').trim();
      const inUse = keyInUse(sqlite, { old: oldKey, new: newKey });
      if (inUse === 'new') {
        swapKeyFiles(keyFile, pending);
        process.stdout.write(`Finished an interrupted rotation: ${keyFile} now holds the new key.\n`);
        return 0;
      }
    }
    const newKey = requested?.toLowerCase() ?? randomBytes(32).toString('hex');
    if (fromEnv) {
      // Said before the change, so a crash after it never leaves the new key unknown.
      process.stdout.write(`New key (set SECRET_KEY to it before starting the server):\n  ${newKey}\n`);
    } else {
      writeFileSync(pending, `${newKey}\n`, { mode: 0o600 });
      fsyncFile(pending);
    }
    let count: number;
    try {
      count = resealAll(sqlite, oldKey, newKey);
    } catch (err) {
      // Nothing was re-sealed (one transaction): the new key must not look like the one in use.
      if (!fromEnv) rmSync(pending, { force: true });
      throw err;
    }
    const old = fromEnv ? null : swapKeyFiles(keyFile, pending);
    process.stdout.write(
      `Re-sealed ${count} value(s) with the new key.${old ? ` ${keyFile} holds it; the old one is in ${old}.` : ''}\n` +
        'Keep the old key with the backups taken before today: they were made with it.\n'
    );
    return 0;
  } finally {
    sqlite.close();
  }
}

/** The old key stays beside the new one, named by the day it was replaced: older backups need it. */
function swapKeyFiles(keyFile: string, pending: string): string {
  const old = `${keyFile}.old-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (existsSync(keyFile)) renameSync(keyFile, old);
  renameSync(pending, keyFile);
  fsyncDir(path.dirname(keyFile));
  return old;
}

try {
  process.exit(main());
} catch (err) {
  const known = err instanceof ConfigError || err instanceof KeyMismatch;
  process.stderr.write(`Key rotation ${known ? 'refused' : 'failed'}: ${err instanceof Error ? err.message : String(err)}\n`);
  if (!known && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
