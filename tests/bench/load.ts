import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
}

export const LOAD: LoadSettings = { connections: 20, durationS: 5, warmupS: 1 };

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Anything but a 2xx, errors and timeouts: a bench that measured error pages would lie. */
  failures: number;
}

/**
 * One fixed-length run against a 127.0.0.1 URL. The load generator runs in a worker thread, so it
 * does not share the event loop with the servers being measured.
 */
export async function load(
  url: string,
  headers: Record<string, string> = {},
  settings: LoadSettings = LOAD
): Promise<LoadResult> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`Benchmarks only run against 127.0.0.1, not ${url}`);
  const result = await autocannon({
    url,
    headers,
    connections: settings.connections,
    duration: settings.durationS,
    warmup: { connections: settings.connections, duration: settings.warmupS },
    workers: 1
  });
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts
  };
}

/** Nearest-rank percentile of a small sample (20 Argon2 hashes). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
