import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, runMigrations } from '../db/client.ts';
import { buildApp } from './app.ts';
import { fileOffsetClock } from './shared/clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { startJobs } from './jobs/scheduler.ts';
import { issueSetupLink } from './modules/auth/activation.ts';
import { startMetricsServer } from './ops/metricsServer.ts';
import { backupBeforeMigrations } from './ops/scheduledBackup.ts';

/** SECRET_KEY, or a key generated once into DATA_DIR/secret.key (mode 0600). */
export function loadSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export async function start(env = process.env) {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  mkdirSync(path.join(config.dataDir, 'files'), { recursive: true });
  const db = createDb(path.join(config.dataDir, 'tfc.sqlite'));
  // An upgrade with pending migrations backs the database up first (docs/operations.md, "Upgrade").
  await backupBeforeMigrations(db, config, (line) => process.stdout.write(line));
  runMigrations(db);
  const clock = config.testClockFile ? fileOffsetClock(config.testClockFile) : undefined;
  const app = await buildApp({ db, config, secretKey: loadSecretKey(config), web: config.serveWeb, ...(clock ? { clock } : {}) });
  const stopJobs = startJobs(app.deps);
  const metricsServer = await startMetricsServer(app);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    stopJobs();
    metricsServer?.close();
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    db.$client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const setupLink = issueSetupLink(app.deps);
  if (setupLink) {
    process.stdout.write(`\nNo administrator exists yet. Create the first one (link valid 24 hours, once):\n  ${setupLink}\n\n`);
  }
  process.stdout.write(`Task Force Connect is listening on ${config.publicOrigin}\n`);
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  start().catch((err) => {
    process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
