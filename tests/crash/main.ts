// `npm run test:crash`: CRASH_RUNS (default 200) SIGKILLs of the real server under write load, each
// followed by a restart and the checks in verify.ts. Exit code 1 when any run failed.
import { describeSummary, runCrashHarness } from './harness.ts';

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`${name} must be a whole number from ${min} to ${max}, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

const runs = envInt('CRASH_RUNS', 200, 1, 100_000);
const chain = envInt('CRASH_CHAIN', 10, 1, 1000);
const seed = envInt('CRASH_SEED', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31);
const started = Date.now();
process.stdout.write(`Crash harness: ${runs} runs, ${chain} per data directory, seed ${seed}\n`);
const summary = await runCrashHarness({
  runs,
  chain,
  killAfterMs: [envInt('CRASH_KILL_MIN_MS', 500, 50, 600_000), envInt('CRASH_KILL_MAX_MS', 2000, 50, 600_000)],
  workers: envInt('CRASH_WORKERS', 8, 1, 256),
  seed,
  log: (line) => process.stdout.write(`${line}\n`)
});
process.stdout.write(`\n${describeSummary(summary).join('\n')}\nTook ${Math.round((Date.now() - started) / 1000)} s.\n`);
process.exit(summary.failures === 0 && summary.runs.length === runs ? 0 : 1);
