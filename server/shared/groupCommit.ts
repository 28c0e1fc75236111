import type { Db, Tx } from '../../db/client.ts';

interface Job {
  work: (tx: Tx) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** A job's own error, told apart from a failure of the transaction around it. */
class JobFailed {}

/**
 * Group commit for the writes members make many times a minute (replies, new threads, reactions,
 * reading state, their notifications).
 *
 * Why: with synchronous=FULL every COMMIT is an fsync, and better-sqlite3 holds the event loop
 * while it waits. One transaction per request capped posting near 200/s. Here every write that
 * arrives in the same turn of the event loop joins one transaction, and one fsync covers them all.
 *
 * A write that throws must not take the others down, yet a SAVEPOINT per write is no answer: FTS5
 * flushes its pending index data at every savepoint, so each post would write its own index
 * segment. Instead the batch runs optimistically in one transaction; if a write throws, the batch
 * is rolled back and each write runs again in its own transaction (writes check first and throw
 * before writing, so this is rare), and its caller gets its error.
 *
 * Durability is unchanged: a caller's promise settles only after the COMMIT returned, so nobody
 * answers 2xx (or publishes an event) for a write that is not on disk. The work function must be
 * synchronous (no await: a transaction body cannot span turns), may run twice (see above), and may
 * run a little after the request validated it: what must hold at write time is re-read inside it.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  /** Transactions committed and writes they carried (bench and tests read these). */
  readonly stats = { commits: 0, writes: 0, retried: 0 };

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
    let values: unknown[];
    try {
      values = this.db.transaction(
        (tx) =>
          jobs.map((job) => {
            try {
              return job.work(tx);
            } catch {
              throw new JobFailed();
            }
          }),
        { behavior: 'immediate' }
      );
    } catch (error) {
      if (error instanceof JobFailed) return this.oneByOne(jobs);
      // The COMMIT itself failed (disk full, I/O error): nothing of this batch is stored.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.stats.commits++;
    this.stats.writes += jobs.length;
    jobs.forEach((job, i) => job.resolve(values[i]));
  }

  /** The slow path after a write threw: each write alone, so each caller gets its own outcome. */
  private oneByOne(jobs: Job[]): void {
    this.stats.retried += jobs.length;
    for (const job of jobs) {
      let value: unknown;
      try {
        value = this.db.transaction((tx) => job.work(tx), { behavior: 'immediate' });
      } catch (error) {
        job.reject(error);
        continue;
      }
      this.stats.commits++;
      this.stats.writes++;
      job.resolve(value);
    }
  }
}
