import type { Deps } from '../context.ts';
import { HOUR, MINUTE } from '../shared/clock.ts';
import { runNotificationMailJob } from '../modules/notifications/mail.ts';
import { runAccessJob } from './access.ts';
import { runJob } from '../ops/metrics.ts';
import { startOpsJobs } from '../ops/jobs.ts';
import { runExtractionJob } from '../modules/resources/extraction.ts';
import { sweepFileStore } from '../modules/resources/upload.ts';
import { publishDue } from '../modules/spotlights/publish.ts';

/** Runs the jobs at start and on their intervals; they are idempotent, so a restart never skips one. */
export function startJobs(deps: Deps): () => void {
  // runJob (server/ops/metrics.ts) counts runs and failures for /metrics and logs a failure.
  const run = () =>
    void runJob(deps, 'access', () => {
      const report = runAccessJob(deps);
      deps.log.info({ job: 'access', ...report }, 'access job finished');
    });
  // Every minute: notification e-mails still unread after 10 minutes, and digests past their hour.
  const mail = () =>
    void runJob(deps, 'notification-mail', async () => {
      const report = await runNotificationMailJob(deps);
      if (report) deps.log.debug({ job: 'notification-mail', ...report }, 'notification mail job finished');
    });
  // Retention (hourly) and the scheduled backup (checked every 10 minutes): server/ops/jobs.ts.
  const stopOps = startOpsJobs(deps);
  // Resource library: text inside new uploads, read within seconds (not counted per run: it polls);
  // and, at start and hourly, temp files and unnamed stored files a crash left behind.
  const extract = () =>
    void runExtractionJob(deps).catch((err: unknown) => deps.log.error({ err, job: 'resource-extraction' }, 'extraction failed'));
  const sweep = () =>
    void runJob(deps, 'resource-files-sweep', async () => {
      const report = await sweepFileStore(deps);
      if (report.temp || report.orphans) deps.log.warn({ job: 'resource-files-sweep', ...report }, 'left-over files removed');
    });
  // Weekly spotlights: due ones go out at start (a restart never skips one) and every SPOTLIGHT_JOB_INTERVAL_MS.
  const spotlights = () =>
    void runJob(deps, 'spotlight-publish', async () => {
      const report = await publishDue(deps);
      if (report.published.length || report.waiting.length) {
        deps.log.info({ job: 'spotlight-publish', ...report }, 'spotlights due');
      }
    });
  const spotlightFirst = setTimeout(spotlights, 0);
  const spotlightTimer = setInterval(spotlights, deps.config.spotlight.jobIntervalMs);
  spotlightFirst.unref();
  spotlightTimer.unref();
  const extractTimer = setInterval(extract, 5_000);
  const sweepFirst = setTimeout(sweep, 5_000);
  const sweepTimer = setInterval(sweep, HOUR);
  extractTimer.unref();
  sweepFirst.unref();
  sweepTimer.unref();
  const first = setTimeout(run, 1_000);
  const timer = setInterval(run, HOUR);
  const mailTimer = setInterval(mail, MINUTE);
  first.unref();
  timer.unref();
  mailTimer.unref();
  return () => {
    stopOps();
    clearTimeout(spotlightFirst);
    clearInterval(spotlightTimer);
    clearInterval(extractTimer);
    clearTimeout(sweepFirst);
    clearInterval(sweepTimer);
    clearTimeout(first);
    clearInterval(timer);
    clearInterval(mailTimer);
  };
}
