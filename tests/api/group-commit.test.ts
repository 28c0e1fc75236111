import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { reply } from '../../server/modules/discussions/posts.ts';
import { GroupCommit } from '../../server/shared/groupCommit.ts';
import { Conflict } from '../../server/shared/errors.ts';
import { freshDb } from '../support/app.ts';
import { discussionsApp, makeCategory, signedMember, startThread } from '../support/discussions.ts';
import { call, type TestApp } from '../support/app.ts';

type Tx = Parameters<Parameters<GroupCommit['run']>[0]>[0];

/** The connection under a drizzle transaction handle (the raw statements below run inside it). */
const clientOf = (tx: Tx) => (tx as unknown as { session: { client: Database.Database } }).session.client;

const rows = (db: ReturnType<typeof freshDb>) =>
  (db.$client.prepare("SELECT value FROM settings WHERE key LIKE 'gc-%' ORDER BY key").all() as { value: string }[]).map(
    (r) => JSON.parse(r.value) as string
  );

function freshPut(tx: Tx, key: string, value: string): string {
  clientOf(tx).prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)').run(key, JSON.stringify(value));
  return value;
}

const put = (key: string, value: string) => (tx: Tx) => freshPut(tx, key, value);

describe('group commit', () => {
  it('writes issued in the same turn share one transaction, and each caller gets its own result', async () => {
    const db = freshDb();
    const writes = new GroupCommit(db);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((v) => writes.run(put(`gc-${v}`, v))));
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(writes.stats).toEqual({ commits: 1, writes: 4, retried: 0 });
    expect(rows(db)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a write that throws is rolled back alone: the others commit, its caller gets the error', async () => {
    const db = freshDb();
    const writes = new GroupCommit(db);
    const settled = await Promise.allSettled([
      writes.run(put('gc-1', 'kept')),
      writes.run((tx) => {
        freshPut(tx, 'gc-2', 'half-written');
        throw new Conflict('refused inside the write');
      }),
      writes.run(put('gc-3', 'kept too'))
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
    expect(rows(db)).toEqual(['kept', 'kept too']);
    // The batch was rolled back and each write ran alone: two commits, one refusal.
    expect(writes.stats).toEqual({ commits: 2, writes: 2, retried: 3 });
  });

  it('settles only after COMMIT: no caller hears of a write still inside a transaction', async () => {
    const db = freshDb();
    const writes = new GroupCommit(db);
    let insideTransaction: boolean | null = null;
    await writes.run((tx) => {
      insideTransaction = db.$client.inTransaction;
      return freshPut(tx, 'gc-x', 'x');
    });
    expect(insideTransaction).toBe(true);
    expect(db.$client.inTransaction).toBe(false);
  });

  it('a failed COMMIT fails every write of the batch', async () => {
    const db = freshDb();
    const writes = new GroupCommit(db);
    // A deferred foreign-key violation is only detected at COMMIT: the whole batch must be refused.
    db.$client.pragma('foreign_keys = ON');
    const settled = await Promise.allSettled([
      writes.run(put('gc-ok', 'ok')),
      writes.run((tx) => {
        const client = clientOf(tx);
        client.pragma('defer_foreign_keys = ON');
        client
          .prepare('INSERT INTO thread_reads (member_id, thread_id, last_read_number, updated_at) VALUES (999999, 999999, 1, 0)')
          .run();
        return 'violates at commit';
      })
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(rows(db)).toEqual([]);
  });
});

describe('replies under group commit', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('twenty members replying at once: all stored, numbered 2…21 without gaps or repeats, in few commits', async () => {
    t = await discussionsApp();
    const admin = await signedMember(t, { role: 'admin', mfa: true });
    const category = await makeCategory(t, admin);
    const { threadId } = await startThread(t, admin, category);
    const repliers = await Promise.all(Array.from({ length: 20 }, () => signedMember(t)));
    const before = { ...t.deps.writes.stats };
    const replies = await Promise.all(
      repliers.map((m, i) =>
        call(t.app, 'POST', `/api/discussions/threads/${threadId}/posts`, {
          cookie: m.cookie,
          body: { body: `Reply number ${i} about interview practice.` }
        })
      )
    );
    expect(replies.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const numbers = replies.map((r) => r.json().number as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const stored = t.db.$client.prepare('SELECT count(*) AS n FROM posts WHERE thread_id = ?').get(threadId) as { n: number };
    expect(stored.n).toBe(21);
    expect(t.deps.writes.stats.commits - before.commits).toBeLessThan(20);
  });

  it('a reply validated before a lock but written after it is refused, and nothing of it is stored', async () => {
    t = await discussionsApp();
    const admin = await signedMember(t, { role: 'admin', mfa: true });
    const member = await signedMember(t);
    const category = await makeCategory(t, admin);
    const { threadId } = await startThread(t, admin, category);
    const actor = t.deps.sessions.validate(member.cookie.split('=')[1]!)!;
    const ctx = { ...t.deps, actor, ip: '127.0.0.1', userAgent: 'test' };
    // A moderator's lock queued just before the reply: the reply validates now (the thread is open)
    // but is written after the lock, in the same batch.
    const lock = t.deps.writes.run((tx) => {
      clientOf(tx).prepare('UPDATE threads SET locked_at = 1 WHERE id = ?').run(threadId);
    });
    const replying = reply(ctx, threadId, { body: 'This arrives just after the lock.' });
    await lock;
    await expect(replying).rejects.toBeInstanceOf(Conflict);
    const stored = t.db.$client.prepare('SELECT count(*) AS n FROM posts WHERE thread_id = ?').get(threadId) as { n: number };
    expect(stored.n).toBe(1);
  });
});
