import type { Deps } from '../context.ts';
import { HOUR, MINUTE } from '../shared/clock.ts';
import { runJob } from './metrics.ts';
import { runRetention } from './retention.ts';
import { backupDue, runScheduledBackup } from './scheduledBackup.ts';

/**
 * The operations jobs inside the server: retention every hour (first a minute after start) and a
 * check every 10 minutes whether a backup is due. A job still running when its next turn comes is
 * not started twice.
 */
export function startOpsJobs(deps: Deps): () => void {
  let retentionRunning = false;
  let backupRunning = false;
  const retention = () => {
    if (retentionRunning) return;
    retentionRunning = true;
    void runJob(deps, 'retention', () => {
      const report = runRetention(deps);
      deps.log.info({ job: 'retention', ...report }, 'retention job finished');
    }).finally(() => (retentionRunning = false));
  };
  const backup = () => {
    if (backupRunning || !backupDue(deps)) return;
    backupRunning = true;
    void runJob(deps, 'backup', () => runScheduledBackup(deps)).finally(() => (backupRunning = false));
  };
  const timers = [
    setTimeout(retention, MINUTE),
    setInterval(retention, HOUR),
    setTimeout(backup, 2 * MINUTE),
    setInterval(backup, 10 * MINUTE)
  ];
  for (const t of timers) t.unref();
  return () => {
    for (const t of timers) clearTimeout(t);
  };
}
