import type { Deps } from '../context.ts';
import { HOUR, MINUTE } from '../shared/clock.ts';
import { runNotificationMailJob } from '../modules/notifications/mail.ts';
import { runAccessJob } from './access.ts';

/** Runs the jobs at start and on their intervals; they are idempotent, so a restart never skips one. */
export function startJobs(deps: Deps): () => void {
  const run = () => {
    try {
      const report = runAccessJob(deps);
      deps.log.info({ job: 'access', ...report }, 'access job finished');
    } catch (err) {
      deps.log.error({ err, job: 'access' }, 'access job failed');
    }
  };
  // Every minute: notification e-mails still unread after 10 minutes, and digests past their hour.
  const mail = () => {
    runNotificationMailJob(deps).then(
      (report) => report && deps.log.debug({ job: 'notification-mail', ...report }, 'notification mail job finished'),
      (err: unknown) => deps.log.error({ err, job: 'notification-mail' }, 'notification mail job failed')
    );
  };
  const first = setTimeout(run, 1_000);
  const timer = setInterval(run, HOUR);
  const mailTimer = setInterval(mail, MINUTE);
  first.unref();
  timer.unref();
  mailTimer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
    clearInterval(mailTimer);
  };
}
