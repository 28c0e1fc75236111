import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { createDb } from '../../../db/client.ts';
import { members } from '../../../db/schema/index.ts';
import { SecretBox } from '../../../server/shared/secretBox.ts';
import { newTotpKey, totpCode, totpStep } from '../../../server/shared/totp.ts';

/**
 * The spotlight journey runs against a server whose clock is moved through TEST_CLOCK_FILE (the
 * server's now = Date.now() + the offset written there). Staff sign in with TOTP, so their codes
 * must be computed at the server's time, not the test's.
 */

const DAY = 86_400_000;

/** The wall-clock parts of `ms` in `timeZone`. */
function zonedParts(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short'
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: get('weekday')
  };
}

/** The UTC instant at which the wall clock in `timeZone` reads the given local date and time. */
export function zonedToUtc(date: string, time: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wanted = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wanted;
  // Two corrections settle it (the zone's offset at the guess, then at the corrected guess).
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(guess, timeZone);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += wanted - seen;
  }
  return guess;
}

/** The Monday (YYYY-MM-DD, in `timeZone`) of a week at least two days from now, `weeksLater` weeks on. */
export function futureMonday(timeZone = 'America/New_York', weeksLater = 0): string {
  let at = Date.now() + 2 * DAY;
  while (zonedParts(at, timeZone).weekday !== 'Mon') at += DAY;
  at += weeksLater * 7 * DAY;
  const p = zonedParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY).toISOString().slice(0, 10);
}

/** The server's clock: the offset file and what the server's now is. */
export interface TestClock {
  file: string;
  offset(): number;
  now(): number;
  /** Sets the server's now to the wall-clock `time` of `date` in `timeZone` (read by the server within ~100 ms). */
  setZoned(date: string, time: string, timeZone?: string): Promise<void>;
}

export function testClock(dir: string): TestClock {
  const file = path.join(dir, 'clock-offset');
  let offset = 0;
  writeFileSync(file, '0');
  return {
    file,
    offset: () => offset,
    now: () => Date.now() + offset,
    async setZoned(date, time, timeZone = 'America/New_York') {
      offset = zonedToUtc(date, time, timeZone) - Date.now();
      writeFileSync(file, String(Math.round(offset)));
      // The server polls the file every 100 ms: wait a few polls so the next request sees the new time.
      await new Promise((r) => setTimeout(r, 400));
    }
  };
}

/**
 * Gives a seeded staff member a TOTP key known here, so codes can be computed at the server's
 * (offset) time. Returns a code() that refuses to reuse a 30-second step, like seed.ts's.
 */
export function serverTimeCodes(
  server: { dataDir: string; secretKey: string },
  memberId: number,
  clock: Pick<TestClock, 'now'>
): () => string {
  const key = newTotpKey();
  const db = createDb(path.join(server.dataDir, 'tfc.sqlite'));
  try {
    db.update(members)
      .set({ totpKey: new SecretBox(server.secretKey).seal(key) })
      .where(eq(members.id, memberId))
      .run();
  } finally {
    db.$client.close();
  }
  let lastStep = 0;
  // The server accepts its current step and one either side, never a step at or below the last it accepted.
  return () => {
    const current = totpStep(clock.now());
    const step = Math.max(lastStep + 1, current);
    if (step > current + 1) throw new Error('no fresh TOTP step at the server’s time yet: wait 30 seconds');
    lastStep = step;
    return totpCode(key, step * 30_000);
  };
}

/** Polls `check` until it returns true (or throws with `what` after `ms`). */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 75_000, every = 1_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${Math.round(ms / 1000)} s: ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
