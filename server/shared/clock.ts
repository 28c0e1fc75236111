import { readFileSync, unwatchFile, watchFile } from 'node:fs';

/** Time comes from here so jobs and expiry can be tested with a mocked clock. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export class FakeClock implements Clock {
  constructor(public current = Date.UTC(2026, 0, 5, 12)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * For browser tests only ("a mocked clock publishes the spotlight"): the server's time is the real
 * time plus the number of milliseconds written in `file`, re-read within 100 ms of a change. The
 * config refuses TEST_CLOCK_FILE in production.
 */
export function fileOffsetClock(file: string): Clock & { stop(): void } {
  let offset = 0;
  const read = () => {
    try {
      const value = Number(readFileSync(file, 'utf8').trim() || '0');
      if (Number.isFinite(value)) offset = value;
    } catch {
      offset = 0;
    }
  };
  read();
  watchFile(file, { interval: 100, persistent: false }, read);
  return { now: () => Date.now() + offset, stop: () => unwatchFile(file, read) };
}
