import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDb } from '../../db/client.ts';
import type { Ctx } from '../../server/context.ts';
import type { Actor } from '../../server/policies/index.ts';
import { search } from '../../server/modules/search/service.ts';
import { searchQueries } from './discussions.ts';
import { percentile } from './load.ts';

/**
 * The discussions benchmark's 200 search queries, in-process against a database file: no HTTP, no
 * server, so a change to the search SQL can be measured in a minute. Wall time and CPU time per query
 * (the machine is shared: CPU time shows the query's own cost when the wall time is noisy).
 *
 *   node --import tsx tests/bench/search-probe.ts <copy of the seed, migrated> [--passes 2] [--kind phrase] [--moderator] [--cache-mb 64]
 *
 * NEVER point it at bench/.cache/: opening a file in WAL mode writes beside it. Copy the seed and run
 * migrateCopy() (tests/bench/seed-discussions.ts) on the copy first.
 */

interface Options {
  file: string;
  passes: number;
  kind: string | null;
  moderator: boolean;
  /** Page cache override (MB), to measure what db/client.ts's cache_size costs search. */
  cacheMb: number | null;
}

function options(argv: string[]): Options {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const flagged = new Set(['--passes', '--kind', '--cache-mb']);
  const file = argv.find((a, n) => !a.startsWith('--') && !flagged.has(argv[n - 1] ?? ''));
  const passes = Number(value('--passes') ?? '2');
  if (!file || !(passes >= 1)) {
    process.stderr.write(
      'Usage: node --import tsx tests/bench/search-probe.ts <db file> [--passes 2] [--kind phrase] [--moderator] [--cache-mb 64]\n'
    );
    process.exit(1);
  }
  if (path.resolve(file).includes(`${path.sep}bench${path.sep}.cache${path.sep}`)) {
    process.stderr.write('Refusing to open the cached seed itself: copy it first.\n');
    process.exit(1);
  }
  const cacheMb = value('--cache-mb') ? Number(value('--cache-mb')) : null;
  return { file, passes, kind: value('--kind') ?? null, moderator: argv.includes('--moderator'), cacheMb };
}

/** The bench's searcher (tests/bench/discussions.ts prepare()): a prosecutor of task force 1, or a moderator. */
function searcher(ctxDb: ReturnType<typeof createDb>, moderator: boolean): Actor {
  const row = ctxDb.$client
    .prepare(
      moderator
        ? `SELECT * FROM members WHERE role = 'moderator' AND status = 'active' ORDER BY id LIMIT 1`
        : `SELECT * FROM members WHERE role = 'member' AND status = 'active' AND notice_accepted_at IS NOT NULL
             AND task_force_id = 1 AND discipline = 'prosecution' ORDER BY id LIMIT 1`
    )
    .get() as {
    id: number;
    email: string;
    name: string;
    role: Actor['role'];
    task_force_id: number | null;
    discipline: Actor['discipline'];
  };
  if (!row) throw new Error('No searcher in this database: is it the seeded one?');
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: 'active',
    taskForceId: row.task_force_id,
    discipline: row.discipline,
    onboarding: null,
    mfaEnabled: true,
    sessionId: 'probe'
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function main(): void {
  const opts = options(process.argv.slice(2));
  const db = createDb(opts.file);
  if (opts.cacheMb !== null) db.$client.pragma(`cache_size = -${Math.round(opts.cacheMb * 1024)}`);
  const actor = searcher(db, opts.moderator);
  // Only what search() touches; the rate limit is the API's business, not the query's cost.
  const ctx = {
    db,
    actor,
    clock: { now: () => Date.now() },
    limiter: { hit: () => 0 }
  } as unknown as Ctx;
  const queries = searchQueries().filter((x) => opts.kind === null || x.kind === opts.kind);
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const hits = new Map<string, number>();
  // Pass 0 warms the page cache and the prepared statements, as in the bench: not counted.
  for (let pass = 0; pass <= opts.passes; pass++) {
    for (const { q } of queries) {
      const cpuAt = process.cpuUsage();
      const at = performance.now();
      const result = search(ctx, { q });
      const ms = performance.now() - at;
      const used = process.cpuUsage(cpuAt);
      hits.set(q, result.hits.length + (result.hasMore ? 1 : 0));
      if (pass === 0) continue;
      wall.set(q, [...(wall.get(q) ?? []), ms]);
      cpu.set(q, [...(cpu.get(q) ?? []), (used.user + used.system) / 1000]);
    }
  }
  const line = (label: string, list: { q: string }[]) => {
    const w = list.flatMap((x) => wall.get(x.q) ?? []);
    const c = list.flatMap((x) => cpu.get(x.q) ?? []);
    return `${label.padEnd(12)} wall p50 ${round1(percentile(w, 50)).toString().padStart(6)} p99 ${round1(percentile(w, 99)).toString().padStart(6)}   cpu p50 ${round1(percentile(c, 50)).toString().padStart(6)} p99 ${round1(percentile(c, 99)).toString().padStart(6)}  ms`;
  };
  const out: string[] = [
    `${queries.length} queries × ${opts.passes} passes as ${actor.role} ${actor.id} on ${opts.file}`,
    line('all', queries)
  ];
  for (const kind of [...new Set(queries.map((x) => x.kind))])
    out.push(
      line(
        kind,
        queries.filter((x) => x.kind === kind)
      )
    );
  out.push('slowest (median wall / median cpu, hits shown + more):');
  const median = (s: number[]) => percentile(s, 50);
  const slowest = queries
    .map(({ q }) => ({ q, wall: median(wall.get(q)!), cpu: median(cpu.get(q)!) }))
    .sort((a, b) => b.wall - a.wall)
    .slice(0, 10);
  for (const s of slowest)
    out.push(`  ${JSON.stringify(s.q).padEnd(40)} ${round1(s.wall)} / ${round1(s.cpu)} ms  (${hits.get(s.q)})`);
  const counts = [...hits.values()];
  out.push(
    `hits: ${counts.filter((c) => c === 0).length} none, ${counts.filter((c) => c > 0 && c <= 20).length} one page or less, ${counts.filter((c) => c > 20).length} more pages`
  );
  process.stdout.write(`${out.join('\n')}\n`);
  db.$client.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
