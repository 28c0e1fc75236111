import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DB_FILE } from '../crash/fixture.ts';
import { describeSummary, runCrashHarness, type ChainEnd } from '../crash/harness.ts';
import { verify } from '../crash/verify.ts';

/**
 * The crash harness inside `npm test` (20 runs; `npm run test:crash` does 200): the real server as a
 * child process, SIGKILLed under write load, restarted, and checked. See tests/crash/harness.ts.
 * Nearly all of its time is the 21 server start-ups (~75 s on a quiet machine); the timeout allows a busy one.
 */
const RUNS = Number(process.env.CRASH_RUNS_IN_SUITE ?? 20);

/**
 * At the end of the chain, the checks must fail when something is really lost: an acknowledged reply,
 * reaction or decision that is not stored, a notification deleted, a file no row names, a row naming a
 * missing file. Returns what verify reported.
 */
async function tamperAndVerify({
  server,
  dataDir,
  fixture,
  ledger,
  run
}: ChainEnd): Promise<{ text: string; expected: string[] }> {
  const real = ledger.replies.find((r) => r.run === run.number) ?? ledger.replies[0]!;
  ledger.replies.push({ ...real, postId: 9_999_999, number: 9_999 });
  ledger.reactions.push({ run: run.number, postId: real.postId, kind: 'support', memberId: fixture.watcher.id });
  const undecided = ledger.requestQueue.shift()!;
  ledger.decisions.push({ run: run.number, requestId: undecided, decision: 'declined', memberId: null });
  const db = new Database(path.join(dataDir, DB_FILE));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare(`DELETE FROM notifications WHERE member_id = ? AND thread_id = ? AND post_number = ?`).run(
      fixture.watcher.id,
      real.threadId,
      real.number
    );
    db.exec(`CREATE TABLE crash_check_files (sha256 TEXT)`);
    db.prepare(`INSERT INTO crash_check_files VALUES (?)`).run('f'.repeat(64));
  } finally {
    db.close();
  }
  mkdirSync(path.join(dataDir, 'files', 'ab', 'cd'), { recursive: true });
  writeFileSync(path.join(dataDir, 'files', 'ab', 'cd', 'a'.repeat(64)), 'stray');
  const { problems } = await verify(server, dataDir, fixture, ledger, run);
  return {
    text: problems.join('\n'),
    expected: [
      `acknowledged reply 9999999 (run ${run.number}) is missing`,
      `acknowledged reaction support by ${fixture.watcher.id} on post ${real.postId}`,
      `acknowledged declined of request ${undecided}`,
      `no reply notification stored for acknowledged reply ${real.postId}`,
      ...(real.run === run.number ? [`did not replay the notification of acknowledged reply ${real.postId}`] : []),
      `a row names file ${'f'.repeat(64)}, which is not in the files folder`,
      `file files/ab/cd/${'a'.repeat(64)} is named by no row`
    ]
  };
}

describe('crash safety', () => {
  it(`keeps every acknowledged write through ${RUNS} SIGKILLs under load, and its checks catch real losses`, async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const lines: string[] = [];
    let tampered: { text: string; expected: string[] } | null = null;
    const summary = await runCrashHarness({
      runs: RUNS,
      chain: RUNS,
      killAfterMs: [200, 900],
      workers: 6,
      seed,
      log: (line) => lines.push(line),
      keepFailed: false,
      onChainEnd: async (end) => {
        tampered = await tamperAndVerify(end);
      }
    });
    const report = [...describeSummary(summary), ...lines].join('\n');
    console.info(describeSummary(summary).join('\n'));
    expect(summary.runs.length, report).toBe(RUNS);
    expect(summary.failures, report).toBe(0);
    // The load really wrote every kind, and requests were in flight at the kills.
    for (const kind of ['thread', 'reply', 'reaction', 'decision'] as const) {
      expect(
        summary.runs.reduce((n, r) => n + r.acked[kind], 0),
        `${kind}\n${report}`
      ).toBeGreaterThan(0);
    }
    expect(summary.cutOff, report).toBeGreaterThan(0);
    expect(summary.replayed, report).toBeGreaterThan(0);

    const { text, expected } = tampered!;
    for (const line of expected) expect(text).toContain(line);
  }, 600_000);
});
