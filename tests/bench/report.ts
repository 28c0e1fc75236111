import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

export interface Row {
  route: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** req/s relative to the ceiling (a bare route returning the same bytes). */
  ratio: number;
  failures: number;
}

export interface Report {
  bench: string;
  date: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; loadavg: number[] };
  settings: Record<string, unknown>;
  rows: Row[];
  extra: Record<string, unknown>;
  notes: string[];
}

export function machine(): Report['machine'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100)
  };
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
/** autocannon's latency histogram counts whole milliseconds: 0 means under 1 ms. */
const ms = (n: number) => (n === 0 ? '<1' : fixed(n, 0));

export function table(rows: Row[]): string[][] {
  return [
    ['route', 'req/s', 'p50 ms', 'p99 ms', 'ratio vs same-bytes', 'non-2xx/errors'],
    ...rows.map((r) => [r.route, fixed(r.reqPerSec, 0), ms(r.p50Ms), ms(r.p99Ms), fixed(r.ratio, 2), String(r.failures)])
  ];
}

export function printTable(cells: string[][]): void {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  for (const [n, row] of cells.entries()) {
    process.stdout.write(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + '\n');
    if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
}

function markdown(report: Report): string {
  const cells = table(report.rows);
  const lines = [
    `# Benchmark "${report.bench}" — ${report.date}`,
    '',
    `Node ${report.machine.node}, ${report.machine.platform}, ${report.machine.cpus} × ${report.machine.cpuModel}, load average before the run ${report.machine.loadavg.join(' / ')}.`,
    '',
    `| ${cells[0]!.join(' | ')} |`,
    `| ${cells[0]!.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...cells.slice(1).map((r) => `| ${r.join(' | ')} |`),
    '',
    ...Object.entries(report.extra)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `- ${k}: ${v as string}`),
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
    `Settings: \`${JSON.stringify(report.settings)}\``,
    ''
  ];
  return lines.join('\n');
}

/** Writes bench/results/<bench>-<timestamp>.{json,md}; returns the two paths. */
export function writeReport(report: Report): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const base = path.join(RESULTS_DIR, `${report.bench}-${stamp}`);
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(`${base}.md`, markdown(report));
  return [`${base}.json`, `${base}.md`];
}
