import type { FastifyInstance } from 'fastify';
import { appVersion, latestBackup } from './backup.ts';
import { cachedFolderSize, databaseSize, filesDir, freeBytes } from './disk.ts';
import { Exposition, metricsOf } from './metrics.ts';

let version: string | null = null;

/** When the newest verified backup was taken (UTC ms), read from BACKUP_DIR at most once a minute. */
const backupCache = new Map<string, { at: number; value: number | null }>();
function lastBackupAt(root: string): number | null {
  const hit = backupCache.get(root);
  if (hit && Date.now() - hit.at < 60_000) return hit.value;
  let value: number | null;
  try {
    value = latestBackup(root)?.manifest.createdAtMs ?? null;
  } catch {
    value = null;
  }
  backupCache.set(root, { at: Date.now(), value });
  return value;
}

/** A backup just finished in this process: the next scrape must not wait a minute to see it. */
export function noteBackup(root: string, at: number): void {
  backupCache.set(root, { at: Date.now(), value: at });
}

/** The whole exposition for one app: requests, sockets, the event bus, jobs, backups, memory, disk. */
export async function renderMetrics(app: FastifyInstance): Promise<string> {
  const { deps } = app;
  const metrics = metricsOf(deps);
  const out = new Exposition();
  version ??= appVersion();

  out.family('tfc_build_info', 'gauge', 'The running version (always 1).').sample('tfc_build_info', 1, { version });
  out
    .family('process_start_time_seconds', 'gauge', 'When this process started (Unix time).')
    .sample('process_start_time_seconds', Math.floor(metrics.startedAt / 1000));

  out.family('tfc_http_requests_total', 'counter', 'HTTP requests answered, by method, route pattern and status class.');
  for (const [key, h] of metrics.requests) {
    const [method, route, status] = key.split('\u0000') as [string, string, string];
    out.sample('tfc_http_requests_total', h.count, { method, route, status });
  }
  out.family('tfc_http_request_duration_seconds', 'histogram', 'Time to answer, by method, route pattern and status class.');
  for (const [key, h] of metrics.requests) {
    const [method, route, status] = key.split('\u0000') as [string, string, string];
    out.histogram('tfc_http_request_duration_seconds', h, { method, route, status });
  }

  out
    .family('tfc_websocket_connections', 'gauge', 'Open live-update WebSocket connections.')
    .sample('tfc_websocket_connections', app.hub.stats().sockets);

  out.family('tfc_event_bus_lag_seconds', 'histogram', 'Time from publishing a domain event to a subscriber finishing with it.');
  for (const [event, h] of metrics.busLag) out.histogram('tfc_event_bus_lag_seconds', h, { event });
  out.family('tfc_event_subscriber_failures_total', 'counter', 'Subscribers that threw while handling an event.');
  for (const [event, n] of metrics.busFailures) out.sample('tfc_event_subscriber_failures_total', n, { event });

  out.family('tfc_job_runs_total', 'counter', 'Scheduled job runs.');
  for (const [job, s] of metrics.jobs) out.sample('tfc_job_runs_total', s.runs, { job });
  out.family('tfc_job_failures_total', 'counter', 'Scheduled job runs that failed.');
  for (const [job, s] of metrics.jobs) out.sample('tfc_job_failures_total', s.failures, { job });
  out.family('tfc_job_last_success_timestamp_seconds', 'gauge', 'When each job last succeeded (Unix time).');
  for (const [job, s] of metrics.jobs) {
    if (s.lastSuccessAt !== null)
      out.sample('tfc_job_last_success_timestamp_seconds', Math.floor(s.lastSuccessAt / 1000), { job });
  }
  out.family('tfc_job_duration_seconds', 'gauge', 'How long the last run of each job took.');
  for (const [job, s] of metrics.jobs) out.sample('tfc_job_duration_seconds', s.lastDurationSeconds, { job });

  const backupAt = lastBackupAt(deps.config.backupDir);
  out
    .family('tfc_backup_age_seconds', 'gauge', 'Seconds since the newest verified backup in BACKUP_DIR (+Inf: none).')
    .sample('tfc_backup_age_seconds', backupAt === null ? Infinity : Math.max(0, (deps.clock.now() - backupAt) / 1000));

  const memory = process.memoryUsage();
  out.family('process_resident_memory_bytes', 'gauge', 'Resident set size.').sample('process_resident_memory_bytes', memory.rss);
  out.family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.').sample('nodejs_heap_used_bytes', memory.heapUsed);
  out.family('nodejs_heap_total_bytes', 'gauge', 'V8 heap reserved.').sample('nodejs_heap_total_bytes', memory.heapTotal);

  const db = databaseSize(deps.db.$client);
  out
    .family('tfc_database_bytes', 'gauge', 'Database size on disk (main file and write-ahead log).')
    .sample('tfc_database_bytes', db.bytes, { file: 'main' })
    .sample('tfc_database_bytes', db.walBytes, { file: 'wal' });
  const files = await cachedFolderSize(filesDir(deps.config));
  out
    .family('tfc_files_bytes', 'gauge', 'Uploaded files on disk (refreshed every 5 minutes).')
    .sample('tfc_files_bytes', files.bytes);
  out.family('tfc_files_count', 'gauge', 'Uploaded files (refreshed every 5 minutes).').sample('tfc_files_count', files.files);
  let free = NaN;
  try {
    free = freeBytes(deps.config.dataDir);
  } catch {
    // Reported as NaN: the alert on free space then fires on absence.
  }
  out
    .family('tfc_disk_free_bytes', 'gauge', 'Free space on the file system that holds DATA_DIR.')
    .sample('tfc_disk_free_bytes', free);
  return out.text();
}
