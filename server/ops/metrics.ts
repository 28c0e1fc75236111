import type { Deps } from '../context.ts';

/**
 * The numbers operators scrape (Prometheus text format 0.0.4), written by hand: a counter, a gauge
 * and a histogram are a few lines each, and one fewer dependency to keep up to date.
 * One registry per app (keyed by its Deps), so every test app counts on its own.
 */

/** Seconds. Covers a cached page (a few ms) to a slow search or export (seconds). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds from publish to a subscriber's finish: most are sub-millisecond, mail over SMTP takes longer. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];

export class Histogram {
  readonly counts: number[];
  count = 0;
  sum = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.count++;
    this.sum += value;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
}

export interface JobStats {
  runs: number;
  failures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastDurationSeconds: number;
}

export class Metrics {
  readonly startedAt = Date.now();
  /** Key: method, route pattern, status class (joined by \u0000). */
  readonly requests = new Map<string, Histogram>();
  readonly busLag = new Map<string, Histogram>();
  readonly busFailures = new Map<string, number>();
  readonly jobs = new Map<string, JobStats>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = [method, route, `${Math.floor(status / 100)}xx`].join('\u0000');
    let h = this.requests.get(key);
    if (!h) this.requests.set(key, (h = new Histogram(LATENCY_BUCKETS)));
    h.observe(seconds);
  }

  observeEvent(type: string, seconds: number, failed: boolean): void {
    let h = this.busLag.get(type);
    if (!h) this.busLag.set(type, (h = new Histogram(LAG_BUCKETS)));
    h.observe(seconds);
    if (failed) this.busFailures.set(type, (this.busFailures.get(type) ?? 0) + 1);
  }

  jobFinished(job: string, ok: boolean, seconds: number, at: number): void {
    const stats = this.jobs.get(job) ?? {
      runs: 0,
      failures: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      lastDurationSeconds: 0
    };
    stats.runs++;
    stats.lastDurationSeconds = seconds;
    if (ok) stats.lastSuccessAt = at;
    else {
      stats.failures++;
      stats.lastFailureAt = at;
    }
    this.jobs.set(job, stats);
  }
}

const registries = new WeakMap<Deps, Metrics>();

export function metricsOf(deps: Deps): Metrics {
  let metrics = registries.get(deps);
  if (!metrics) registries.set(deps, (metrics = new Metrics()));
  return metrics;
}

/**
 * Runs a scheduled job and counts it: runs, failures, duration, last success. Rethrows nothing:
 * a failed job is logged and counted, and the next interval tries again.
 */
export async function runJob<T>(deps: Deps, job: string, work: () => T | Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  try {
    const result = await work();
    metricsOf(deps).jobFinished(job, true, (performance.now() - started) / 1000, Date.now());
    return result;
  } catch (err) {
    metricsOf(deps).jobFinished(job, false, (performance.now() - started) / 1000, Date.now());
    deps.log.error({ err, job }, `${job} job failed`);
    return undefined;
  }
}

// --- exposition ---------------------------------------------------------------------------------

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const num = (value: number) => (Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : String(value));

export type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Builds one exposition text; each family's HELP and TYPE come once, before its samples. */
export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels: Labels = {}): this {
    this.lines.push(`${name}${labelText(labels)} ${num(value)}`);
    return this;
  }

  histogram(name: string, h: Histogram, labels: Labels = {}): this {
    h.buckets.forEach((le, i) => this.sample(`${name}_bucket`, h.counts[i]!, { ...labels, le: String(le) }));
    this.sample(`${name}_bucket`, h.count, { ...labels, le: '+Inf' });
    this.sample(`${name}_sum`, h.sum, labels);
    this.sample(`${name}_count`, h.count, labels);
    return this;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
