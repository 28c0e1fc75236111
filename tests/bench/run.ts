// `npm run bench` runs every benchmark; `npm run bench -- auth` runs one. Bounded, 127.0.0.1 only.
import { authBench } from './auth.ts';
import { directoryBench } from './directory.ts';
import { discussionsBench } from './discussions.ts';
import { loadMixBench } from './loadmix.ts';
import { realtimeBench } from './realtime.ts';
import { resourcesBench } from './resources.ts';
import { printTable, table, writeReport, type Report } from './report.ts';

const BENCHES: Record<string, { about: string; run: () => Promise<Report> }> = {
  auth: {
    about: 'session-authenticated API routes vs a bare Fastify ceiling, and the Argon2id hash time (~40 s)',
    run: authBench
  },
  discussions: {
    about:
      'thread list, thread page (API and HTML), search, posting on 1M seeded posts vs bare Fastify (~3 min; first run seeds ~5 min)',
    run: discussionsBench
  },
  realtime: {
    about:
      'idle WebSocket memory and notification fan-out at 1,000 / 5,000 / 10,000 sockets, reply-to-socket latency at 200 replies/s (~2 min)',
    run: realtimeBench
  },
  load: {
    about:
      'mixed load on 1M seeded posts: readers 80%, writers 15%, searches 5% with 2,000 open WebSockets for 60 s; per-route p99, errors, SQLITE_BUSY, RSS (~3 min; LOAD_SOAK_MINUTES=10 soaks)',
    run: loadMixBench
  },
  resources: {
    about:
      'resource library on 50,000 seeded resources: search p50/p99 over 200 queries, 20 concurrent 50 MB uploads (server RSS growth), 1 MB downloads vs @fastify/static (~4 min; first run seeds ~2 min)',
    run: resourcesBench
  },
  directory: {
    about:
      'member directory and direct messages on 10,000 seeded members and 20,000 messages: lists, filters, profiles, inbox and conversation pages vs bare Fastify, 200 directory queries one at a time, message sending (~2–3 min; first run seeds ~5 s)',
    run: directoryBench
  }
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    process.stderr.write(`Unknown benchmark: ${unknown.join(', ')}. Available:\n`);
    for (const [name, b] of Object.entries(BENCHES)) process.stderr.write(`  ${name.padEnd(8)} ${b.about}\n`);
    process.exit(1);
  }
  for (const name of names.length ? names : Object.keys(BENCHES)) {
    process.stdout.write(`Benchmark "${name}": ${BENCHES[name]!.about}\n`);
    const report = await BENCHES[name]!.run();
    process.stdout.write('\n');
    printTable(table(report.rows));
    for (const [key, value] of Object.entries(report.extra)) {
      if (typeof value === 'string') process.stdout.write(`${key}: ${value}\n`);
    }
    for (const note of report.notes) process.stdout.write(`- ${note}\n`);
    const files = writeReport(report);
    process.stdout.write(`\nWritten: ${files.join(', ')}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`Benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
