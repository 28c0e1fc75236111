// `npm run backup -- [BACKUP_ROOT] [--data-dir DIR] [--keep N]`: an online backup while the server runs.
// Opens its own connection to DATA_DIR/tfc.sqlite and copies it with SQLite's backup API, then the
// uploads by content hash; checks the copy and writes the manifest (docs/operations.md).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '../db/client.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createBackup, pruneBackups } from '../server/ops/backup.ts';
import { databaseFile } from '../server/ops/disk.ts';
import { LockedError } from '../server/ops/lock.ts';
import { currentSecretKey } from '../server/ops/scheduledBackup.ts';
import { parseArgs } from '../server/ops/cliArgs.ts';

const USAGE = 'Usage: npm run backup -- [BACKUP_ROOT] [--data-dir DIR] [--keep N]\n';

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['data-dir', 'keep']);
  if (args.error || args.positional.length > 1) {
    process.stderr.write(`${args.error ?? 'Give at most one backup folder.'}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig({ ...process.env, ...(args.options['data-dir'] ? { DATA_DIR: args.options['data-dir'] } : {}) });
  const root = path.resolve(args.positional[0] ?? config.backupDir);
  const keep = args.options.keep === undefined ? null : Number(args.options.keep);
  if (keep !== null && !(Number.isInteger(keep) && keep >= 1)) {
    process.stderr.write(`--keep must be a whole number of at least 1.\n${USAGE}`);
    return 2;
  }
  const file = databaseFile(config);
  if (!existsSync(file)) {
    process.stderr.write(`No database at ${file}: is DATA_DIR (or --data-dir) right?\n`);
    return 1;
  }
  // Its own connection (opened like the server's: WAL, busy timeout); it only reads, and the server
  // may go on writing meanwhile.
  const source = createDb(file).$client;
  try {
    const result = await createBackup({
      source,
      dataDir: config.dataDir,
      root,
      now: Date.now(),
      secretKey: currentSecretKey(config),
      pagesPerStep: 'all'
    });
    const m = result.manifest;
    const rows = Object.values(m.tables).reduce((n, c) => n + c, 0);
    process.stdout.write(
      `Backup written to ${result.dir}\n` +
        `  database: ${(m.database.bytes / 1048576).toFixed(1)} MB, integrity ok, ${rows} rows in ${Object.keys(m.tables).length} tables, migration ${m.migration ?? 'none'}\n` +
        `  files: ${m.files.count} (${(m.files.bytes / 1048576).toFixed(1)} MB), ${result.filesAdded} new in the store\n` +
        `  took ${result.seconds.toFixed(1)} s\n`
    );
    if (keep !== null) {
      const pruned = pruneBackups(root, keep);
      process.stdout.write(`  pruned ${pruned.removedBackups.length} older backup(s), ${pruned.removedFiles} stored file(s)\n`);
    }
    return 0;
  } finally {
    source.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof ConfigError || err instanceof LockedError;
    process.stderr.write(`Backup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!known && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  }
);
