import type { Db, Tx } from '../../db/client.ts';

interface Job {
  work: (tx: Tx) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit for the writes members make many times a minute (replies, new threads, reactions,
 * reading state, their notifications).
 *
 * Why: with synchronous=FULL every COMMIT is an fsync, and better-sqlite3 holds the event loop
 * while it waits. One transaction per request capped posting near 200/s. Here every write that
 * arrives in the same turn of the event loop joins one transaction — each in its own SAVEPOINT, so a
 * write that throws is rolled back alone and its caller gets the error — and one fsync covers all.
 *
 * Durability is unchanged: a caller's promise settles only after the COMMIT returned, so nobody
 * answers 2xx (or publishes an event) for a write that is not on disk. The work function must be
 * synchronous (no await: a transaction body cannot span turns) and may run a little after the
 * request validated it: anything that must hold at write time is re-read inside it.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  /** Transactions committed and writes they carried (bench and tests read these). */
  readonly stats = { commits: 0, writes: 0 };

  constructor(
    private readonly db: Db,
    /** Upper bound per transaction: keeps one commit's hold on the event loop short. */
    private readonly maxBatch = 256
  ) {}

  run<T>(work: (tx: Tx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current poll phase: every request already read joins this batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const jobs = this.queue.splice(0, this.maxBatch);
    this.scheduled = false;
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.transaction(
        (tx) => {
          for (const job of jobs) {
            try {
              outcomes.push({ ok: true, value: tx.transaction((savepoint) => job.work(savepoint)) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        },
        { behavior: 'immediate' }
      );
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing of this batch is stored.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.commits++;
    this.stats.writes += jobs.length;
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
