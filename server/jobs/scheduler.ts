import type { Deps } from '../context.ts';
import { HOUR } from '../shared/clock.ts';
import { runAccessJob } from './access.ts';

/** Runs the jobs at start and every hour; they are idempotent, so a restart never skips one. */
export function startJobs(deps: Deps): () => void {
  const run = () => {
    try {
      const report = runAccessJob(deps);
      deps.log.info({ job: 'access', ...report }, 'access job finished');
    } catch (err) {
      deps.log.error({ err, job: 'access' }, 'access job failed');
    }
  };
  const first = setTimeout(run, 1_000);
  const timer = setInterval(run, HOUR);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
