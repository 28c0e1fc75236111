import { cpSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareTemplate, SESSION_COOKIE, type Fixture } from './fixture.ts';
import { KINDS, Ledger, loadThenKill, prng, type Kind } from './load.ts';
import { startServer, type ServerChild } from './server.ts';
import { leftoverFiles, verify, type Verdict } from './verify.ts';

/**
 * The crash harness: on a copy of a prepared data directory, start the real server, write through the
 * HTTP API, SIGKILL it at a random moment, restart it on the same directory and check everything
 * acknowledged is there. A chain runs several such crashes on one directory (each restart is the next
 * run's server: half the start-ups, and later runs check every earlier run's writes on a twice-recovered
 * database); each chain starts from a fresh copy.
 *
 * SIGKILL ends the process, not the machine: the kernel still writes what the process handed it. So
 * this proves the application's side (a 2xx only after commit, one transaction per write, recovery on
 * start); synchronous=FULL, asserted at every open (db/client.ts), is what carries it through power loss.
 */

export interface CrashOptions {
  runs: number;
  /** Runs per data-directory copy. */
  chain: number;
  /** The kill comes uniformly between these, ms after the load begins. */
  killAfterMs: [number, number];
  workers: number;
  seed: number;
  log: (line: string) => void;
  /** Copy a failed chain's data directory to the temp folder for a look (the CLI does; the test suite does not). */
  keepFailed?: boolean;
  /** Called with the restarted server before each chain's directory is dropped (tests check the checks there). */
  onChainEnd?: (chain: ChainEnd) => Promise<void>;
}

export interface ChainEnd {
  server: ServerChild;
  dataDir: string;
  fixture: Fixture;
  ledger: Ledger;
  /** The last run of the chain, and the watcher's notification cursor before it. */
  run: { number: number; cursor: number };
}

export interface RunReport {
  run: number;
  killedAtMs: number;
  restartMs: number;
  acked: Record<Kind, number>;
  cutOff: number;
  checked: number;
  replayed: number;
  problems: string[];
}

export interface CrashSummary {
  runs: RunReport[];
  failures: number;
  /** Acknowledged writes checked after the last run of each chain (each is also checked after every later crash). */
  ackedWrites: number;
  /** Lookups of acknowledged writes, summed over every check. */
  checks: number;
  replayed: number;
  cutOff: number;
  rateLimited: number;
  tempFiles: number;
  graceOrphans: number;
  /** Left-over files aged past the sweep's threshold at a chain's end, and then swept. */
  swept: number;
  uploads: boolean;
  seed: number;
  /** Data directories kept for a look (runs that failed). */
  kept: string[];
}

/** The file sweep's age threshold (server/modules/resources/upload.ts) and its first run after start. */
const SWEEP_AGE_MS = 3_600_000;
const SWEEP_WAIT_MS = 20_000;

/**
 * The end of the grace period: files a crash left (temp files, stored files no row names) are made
 * older than the sweep's threshold, the server restarted, and they must be gone soon after (the
 * sweep runs 5 s after start).
 */
async function sweptAfterGrace(
  dataDir: string,
  server: ServerChild
): Promise<{ server: ServerChild; aged: number; problem: string | null }> {
  const left = leftoverFiles(dataDir);
  if (left.length === 0) return { server, aged: 0, problem: null };
  const past = new Date(Date.now() - 2 * SWEEP_AGE_MS);
  for (const file of left) utimesSync(file, past, past);
  await server.kill('SIGKILL');
  const restarted = await startServer(dataDir);
  const deadline = Date.now() + SWEEP_WAIT_MS;
  let remaining = left;
  while (Date.now() < deadline) {
    const now = new Set(leftoverFiles(dataDir));
    remaining = left.filter((f) => now.has(f));
    if (remaining.length === 0) return { server: restarted, aged: left.length, problem: null };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const names = remaining.map((f) => path.relative(dataDir, f)).slice(0, 5);
  return {
    server: restarted,
    aged: left.length,
    problem: `${remaining.length} of ${left.length} left-over files, aged past the sweep's hour, were still there ${SWEEP_WAIT_MS / 1000} s after a restart: ${names.join(', ')}`
  };
}

async function uploadsAvailable(server: ServerChild, fixture: Fixture): Promise<boolean> {
  const res = await fetch(`${server.url}/api/resources?limit=1`, {
    headers: { cookie: `${SESSION_COOKIE}=${fixture.writers[0]!.token}` }
  });
  await res.arrayBuffer();
  return res.status === 200;
}

async function watcherCursor(server: ServerChild, fixture: Fixture): Promise<number> {
  const res = await fetch(`${server.url}/api/notifications/unread-count`, {
    headers: { cookie: `${SESSION_COOKIE}=${fixture.watcher.token}` }
  });
  if (res.status !== 200) throw new Error(`the watcher's unread count answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { lastId: number }).lastId;
}

export async function runCrashHarness(opts: CrashOptions): Promise<CrashSummary> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tfc-crash-'));
  const template = path.join(root, 'template');
  const rng = prng(opts.seed);
  const summary: CrashSummary = {
    runs: [],
    failures: 0,
    ackedWrites: 0,
    checks: 0,
    replayed: 0,
    cutOff: 0,
    rateLimited: 0,
    tempFiles: 0,
    graceOrphans: 0,
    swept: 0,
    uploads: false,
    seed: opts.seed,
    kept: []
  };
  try {
    // Decisions are ~15% of the writes: enough waiting requests that a chain never runs out.
    const fixture = await prepareTemplate(template, opts.chain * 80);
    let run = 0;
    while (run < opts.runs) {
      const dataDir = path.join(root, `chain-${run + 1}`);
      cpSync(template, dataDir, { recursive: true });
      const ledger = new Ledger(fixture);
      let failed = false;
      let server = await startServer(dataDir);
      summary.uploads = await uploadsAvailable(server, fixture);
      let cursor = 0;
      // A loss stays visible in every later check of the chain: each run reports only what is new.
      const known = new Set<string>();
      let broken = false;
      try {
        for (let k = 0; k < opts.chain && run < opts.runs; k++) {
          run++;
          cursor = await watcherCursor(server, fixture);
          const killAfterMs = Math.round(opts.killAfterMs[0] + rng() * (opts.killAfterMs[1] - opts.killAfterMs[0]));
          const load = await loadThenKill(server, fixture, ledger, {
            run,
            killAfterMs,
            workers: opts.workers,
            rng,
            uploads: summary.uploads
          });
          let verdict: Verdict;
          try {
            server = await startServer(dataDir);
            verdict = await verify(server, dataDir, fixture, ledger, { number: run, cursor });
          } catch (err) {
            // No restart, or no answer from it: the run failed, and this directory cannot go on.
            verdict = {
              problems: [err instanceof Error ? err.message : String(err)],
              checked: 0,
              replayed: 0,
              tempFiles: 0,
              graceOrphans: 0
            };
            broken = true;
          }
          const problems = [...load.unexpected.slice(0, 10), ...verdict.problems].filter((p) => !known.has(p));
          for (const p of problems) known.add(p);
          const report: RunReport = {
            run,
            killedAtMs: load.killedAtMs,
            restartMs: server.startMs,
            acked: load.acked,
            cutOff: load.cutOff,
            checked: verdict.checked,
            replayed: verdict.replayed,
            problems
          };
          summary.runs.push(report);
          summary.checks += verdict.checked;
          summary.replayed += verdict.replayed;
          summary.cutOff += load.cutOff;
          summary.rateLimited += load.rateLimited;
          summary.tempFiles = Math.max(summary.tempFiles, verdict.tempFiles);
          summary.graceOrphans = Math.max(summary.graceOrphans, verdict.graceOrphans);
          const acked = KINDS.map((kind) => `${load.acked[kind]} ${kind}`).join(', ');
          opts.log(
            `run ${run}: killed at ${load.killedAtMs} ms; acknowledged ${acked}; ${load.cutOff} cut off; restart ${server.startMs} ms; ` +
              `${verdict.checked} writes checked, ${verdict.replayed} replayed — ${problems.length ? 'FAILED' : 'ok'}`
          );
          for (const p of problems) opts.log(`  ${p}`);
          if (problems.length) {
            summary.failures++;
            failed = true;
          }
          if (broken) break;
        }
        if (!broken && summary.uploads) {
          const swept = await sweptAfterGrace(dataDir, server);
          server = swept.server;
          summary.swept += swept.aged;
          if (swept.problem) {
            opts.log(`chain end: ${swept.problem}`);
            summary.failures++;
            failed = true;
          }
        }
        if (!broken) await opts.onChainEnd?.({ server, dataDir, fixture, ledger, run: { number: run, cursor } });
      } finally {
        await server.kill('SIGKILL');
        summary.ackedWrites += KINDS.reduce((sum, kind) => sum + ledger.count(kind), 0);
      }
      if (failed && opts.keepFailed !== false) {
        const kept = mkdtempSync(path.join(os.tmpdir(), 'tfc-crash-failed-'));
        cpSync(dataDir, kept, { recursive: true });
        summary.kept.push(kept);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
    return summary;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function describeSummary(s: CrashSummary): string[] {
  const restarts = s.runs.map((r) => r.restartMs).sort((a, b) => a - b);
  return [
    `Crash harness: ${s.runs.length} runs (seed ${s.seed}), ${s.failures} failed.`,
    `Acknowledged writes: ${s.ackedWrites} (${KINDS.map((k) => `${s.runs.reduce((n, r) => n + r.acked[k], 0)} ${k}`).join(', ')}); ` +
      `${s.checks} lookups by id and content over all checks; ${s.replayed} notifications checked in the replay after restart.`,
    `Requests cut off by the kill: ${s.cutOff}; refused with 429: ${s.rateLimited}; resource uploads ${s.uploads ? 'included' : 'not available (no /api/resources yet)'}.`,
    `Files: at most ${s.tempFiles} in files/tmp and ${s.graceOrphans} unacknowledged-upload orphans after a restart (allowed by the grace rule); ` +
      `${s.swept} left-over files aged past the sweep's hour at the chains' ends (each must be swept).`,
    `Restart after SIGKILL: median ${restarts[Math.floor(restarts.length / 2)] ?? 0} ms, max ${restarts.at(-1) ?? 0} ms.`,
    ...(s.kept.length ? [`Data directories of failed chains kept: ${s.kept.join(', ')}`] : [])
  ];
}
