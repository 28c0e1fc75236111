// `npm run restore -- BACKUP [--data-dir DIR]`: checks a backup against its manifest and restores it
// into an EMPTY data directory. BACKUP is one backup folder, or a backup root (its newest backup).
// Refuses (exit 1) when the target holds a database or uploads: see docs/operations.md, "Restore".
import { ConfigError, loadConfig } from '../server/config.ts';
import { LockedError } from '../server/ops/lock.ts';
import { restoreBackup, RestoreRefused } from '../server/ops/restore.ts';
import { parseArgs } from '../server/ops/cliArgs.ts';

const USAGE = 'Usage: npm run restore -- BACKUP [--data-dir DIR]\n';

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['data-dir']);
  if (args.error || args.positional.length !== 1) {
    process.stderr.write(`${args.error ?? 'Name the backup to restore.'}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig({ ...process.env, ...(args.options['data-dir'] ? { DATA_DIR: args.options['data-dir'] } : {}) });
  const result = await restoreBackup({ backupPath: args.positional[0]!, dataDir: config.dataDir, secretKey: config.secretKey });
  const m = result.manifest;
  process.stdout.write(
    `Restored ${result.backup}\n` +
      `  taken ${m.createdAt} by version ${m.appVersion} (migration ${m.migration ?? 'none'})\n` +
      `  into ${config.dataDir}: database checked (integrity ok, row counts match), ${result.files} file(s) checked\n`
  );
  if (result.pendingMigrations.length) {
    process.stdout.write(
      `  the server will run ${result.pendingMigrations.length} migration(s) when it starts (backing up first)\n`
    );
  }
  for (const warning of result.warnings) process.stdout.write(`  WARNING: ${warning}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof RestoreRefused || err instanceof ConfigError || err instanceof LockedError;
    process.stderr.write(`Restore ${known ? 'refused' : 'failed'}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!known && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  }
);
