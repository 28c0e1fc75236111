import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupNow } from '../../server/ops/scheduledBackup.ts';
import { runJob } from '../../server/ops/metrics.ts';
import { startMetricsServer } from '../../server/ops/metricsServer.ts';
import { call, makeApp, type TestApp } from '../support/app.ts';
import { discussionsApp, makeCategory, signedMember, startThread } from '../support/discussions.ts';

let t: TestApp | null = null;
const temps: string[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-ready-'));
  temps.push(dir);
  return dir;
}

const TOKEN = 'b'.repeat(40);

/** Every sample line is `name{labels} value` in the Prometheus text format; every family is typed. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# TYPE ')) typed.add(line.split(' ')[2]!);
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (NaN|[+-]Inf|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const family = match![1]!.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(match![1]!) || typed.has(family), `untyped: ${line}`).toBe(true);
    samples.set(match![1]! + (match![2] ?? ''), Number(match![3]!.replace('+Inf', 'Infinity')));
  }
  return samples;
}

describe('/api/ready', () => {
  it('is ready with a writable, migrated database and free disk, and says so without details that matter to an attacker', async () => {
    t = await makeApp({ env: { DATA_DIR: dataDir() } });
    const res = await call(t.app, 'GET', '/api/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      checks: {
        database: { ok: true, detail: 'writable' },
        migrations: { ok: true, detail: 'current' },
        disk: { ok: true, detail: 'enough free space' }
      }
    });
    // The probe's row was rolled back.
    expect(t.db.$client.prepare("SELECT count(*) AS n FROM settings WHERE key = '__ready_probe'").get()).toEqual({ n: 0 });
    expect(res.body).not.toMatch(/tmp|tfc-ready|sqlite/i);
  });

  it('answers 503 naming the failed check: disk below READY_MIN_FREE_MB, migrations missing, database read-only', async () => {
    t = await makeApp({ env: { DATA_DIR: dataDir(), READY_MIN_FREE_MB: '10000000' } });
    let res = await call(t.app, 'GET', '/api/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('not_ready');
    expect(res.json().checks.disk).toEqual({ ok: false, detail: 'free space below READY_MIN_FREE_MB' });
    expect(res.json().checks.database.ok).toBe(true);
    await t.close();

    t = await makeApp({ env: { DATA_DIR: dataDir() } });
    t.db.$client
      .prepare('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)')
      .run();
    res = await call(t.app, 'GET', '/api/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.migrations).toEqual({ ok: false, detail: 'migrations not applied' });

    t.db.$client.pragma('query_only = ON');
    res = await call(t.app, 'GET', '/api/ready');
    expect(res.json().checks.database).toEqual({ ok: false, detail: 'not writable' });
    t.db.$client.pragma('query_only = OFF');
  });
});

describe('metrics', () => {
  it('GET /api/metrics does not exist without METRICS_TOKEN', async () => {
    t = await makeApp();
    const res = await call(t.app, 'GET', '/api/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('refuses a missing or wrong bearer token, and refuses a short METRICS_TOKEN at start', async () => {
    t = await makeApp({ env: { METRICS_TOKEN: TOKEN } });
    for (const authorization of [undefined, `Bearer ${'c'.repeat(40)}`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await call(t.app, 'GET', '/api/metrics', authorization ? { headers: { authorization } } : {});
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('tfc_');
    }
    await expect(makeApp({ env: { METRICS_TOKEN: 'short' } })).rejects.toThrow(/METRICS_TOKEN/);
  });

  it('counts requests by route pattern, times events and jobs, and reports sockets, backups, memory and disk', async () => {
    t = await discussionsApp({ METRICS_TOKEN: TOKEN, DATA_DIR: dataDir() });
    const admin = await signedMember(t, { role: 'admin' });
    const category = await makeCategory(t, admin);
    await startThread(t, admin, category);
    await t.deps.bus.idle();
    await call(t.app, 'GET', '/api/health');
    await call(t.app, 'GET', '/api/health');
    await call(t.app, 'GET', '/api/discussions/threads/12345', { cookie: admin.cookie });
    await call(t.app, 'GET', '/api/no-such-route-7q');
    await runJob(t.deps, 'retention', () => 'fine');
    await runJob(t.deps, 'retention', () => {
      throw new Error('disk on fire');
    });

    const scrape = async () => {
      const res = await call(t!.app, 'GET', '/api/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      return { text: res.body, samples: parseExposition(res.body) };
    };
    const { text, samples } = await scrape();
    expect(samples.get('tfc_http_requests_total{method="GET",route="/api/health",status="2xx"}')).toBe(2);
    expect(samples.get('tfc_http_requests_total{method="GET",route="/api/discussions/threads/:id",status="4xx"}')).toBe(1);
    expect(samples.get('tfc_http_requests_total{method="GET",route="(unmatched)",status="4xx"}')).toBe(1);
    expect(text).not.toContain('no-such-route-7q');
    expect(text).not.toContain('12345');
    expect(samples.get('tfc_http_request_duration_seconds_bucket{method="GET",route="/api/health",status="2xx",le="+Inf"}')).toBe(
      2
    );
    expect(samples.get('tfc_http_request_duration_seconds_count{method="GET",route="/api/health",status="2xx"}')).toBe(2);
    expect(samples.get('tfc_event_bus_lag_seconds_count{event="thread.created"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('tfc_job_runs_total{job="retention"}')).toBe(2);
    expect(samples.get('tfc_job_failures_total{job="retention"}')).toBe(1);
    expect(samples.get('tfc_websocket_connections')).toBe(0);
    expect(samples.get('tfc_backup_age_seconds')).toBe(Infinity);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(samples.get('tfc_database_bytes{file="main"}')).toBeGreaterThan(0);
    expect(samples.get('tfc_disk_free_bytes')).toBeGreaterThan(0);
    expect(text).not.toMatch(/token|cookie|@example/i);

    await backupNow(t.db, t.config, t.clock.now());
    t.clock.advance(90_000);
    expect((await scrape()).samples.get('tfc_backup_age_seconds')).toBe(90);
  });

  it('serves /metrics on METRICS_PORT and nothing else there', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    t = await makeApp({ env: { METRICS_PORT: String(port) } });
    const server = await startMetricsServer(t.app);
    try {
      await call(t.app, 'GET', '/api/health');
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(parseExposition(text).get('tfc_http_requests_total{method="GET",route="/api/health",status="2xx"}')).toBe(1);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await new Promise((resolve) => server!.close(resolve));
    }
  });
});

describe('request ids', () => {
  it('returns the request id, keeps a safe incoming one and replaces anything else', async () => {
    t = await makeApp();
    const own = await call(t.app, 'GET', '/api/health');
    expect(own.headers['x-request-id']).toMatch(/^[a-z2-7]{12}$/);
    const kept = await call(t.app, 'GET', '/api/health', { headers: { 'x-request-id': 'lb-4f2a.9_Z' } });
    expect(kept.headers['x-request-id']).toBe('lb-4f2a.9_Z');
    for (const bad of ['has space', 'x'.repeat(65), 'quote"', 'new\\nline', '']) {
      const res = await call(t.app, 'GET', '/api/health', { headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id'], bad).toMatch(/^[a-z2-7]{12}$/);
    }
  });
});
