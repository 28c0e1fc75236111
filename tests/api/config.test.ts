import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../server/config.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('loadConfig', () => {
  const bad: [string, string][] = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PUBLIC_ORIGIN', 'ftp://x'],
    ['PUBLIC_ORIGIN', 'not a url'],
    ['SMTP_URL', 'http://x'],
    ['SECRET_KEY', 'short'],
    ['SECRET_KEY', 'g'.repeat(64)],
    ['LOG_LEVEL', 'loud'],
    ['SESSION_IDLE_MINUTES', '0'],
    ['SESSION_IDLE_MINUTES', '1.5'],
    ['SESSION_ABSOLUTE_HOURS', '0'],
    ['INACTIVITY_DISABLE_DAYS', 'ninety'],
    ['TRUST_PROXY', 'maybe'],
    ['DEMO', 'sometimes']
  ];
  for (const [name, value] of bad) {
    it(`refuses ${name}=${JSON.stringify(value)} with a ConfigError naming it`, () => {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(name);
    });
  }

  it('refuses a test clock in production and takes it elsewhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', TEST_CLOCK_FILE: '/tmp/clock' })).toThrow(/TEST_CLOCK_FILE/);
    expect(loadConfig({ NODE_ENV: 'test', TEST_CLOCK_FILE: '/tmp/clock' }).testClockFile).toBe('/tmp/clock');
    expect(loadConfig({}).testClockFile).toBeNull();
  });

  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      publicOrigin: 'http://localhost:3000',
      secureCookies: false,
      trustProxy: false,
      sessionIdleMs: 30 * 60_000,
      sessionAbsoluteMs: 12 * 3_600_000,
      inactivityDisableDays: 90,
      smtpUrl: null,
      secretKey: null,
      logLevel: 'info',
      siteName: 'Task Force Connect',
      demo: false
    });
    expect(config.dataDir).toBe(path.resolve('./data'));
  });

  it('reads good values', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      PUBLIC_ORIGIN: 'https://connect.example.gov/',
      SMTP_URL: 'smtps://mail.example.gov:465',
      SECRET_KEY: 'AB'.repeat(32),
      LOG_LEVEL: 'warn',
      SESSION_IDLE_MINUTES: '15',
      SESSION_ABSOLUTE_HOURS: '8',
      INACTIVITY_DISABLE_DAYS: '30',
      TRUST_PROXY: 'true'
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      publicOrigin: 'https://connect.example.gov',
      secureCookies: true,
      smtpUrl: 'smtps://mail.example.gov:465',
      logLevel: 'warn',
      sessionIdleMs: 15 * 60_000,
      sessionAbsoluteMs: 8 * 3_600_000,
      inactivityDisableDays: 30,
      trustProxy: true
    });
  });
});

describe('starting the server with a bad setting', () => {
  it('exits with code 1 and says which variable is wrong', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tfc-config-test-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: 'abc', DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.resume();
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`server did not exit within 20 s; stderr: ${stderr}`));
        }, 20_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code).toBe(1);
      expect(stderr).toContain('PORT');
      expect(stderr).toMatch(/Configuration error/);
      // It stopped before touching the data directory.
      expect(existsSync(path.join(dataDir, 'tfc.sqlite'))).toBe(false);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 25_000);
});
