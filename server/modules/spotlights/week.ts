import { PUBLISH_DAYS, type SpotlightConfig } from '../../config.ts';
import { DAY } from '../../shared/clock.ts';
import { Invalid } from '../../shared/errors.ts';

/**
 * Weekly slots. A slot is named by its Monday (YYYY-MM-DD, a calendar date in the publish time zone);
 * its publish moment is the configured day and wall-clock time of that week in that zone, turned into
 * UTC with Intl (no time-zone library): the zone's offset is read at a first guess and read again at
 * the result, so a slot on either side of a daylight-saving change lands on the right hour.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall clock at a UTC instant, as if that wall clock were UTC (whole seconds). */
function wallClock(utc: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utc))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** How far the zone's wall clock is ahead of UTC at that instant (negative west of Greenwich). */
export function zoneOffset(utc: number, timeZone: string): number {
  const whole = utc - (((utc % 1000) + 1000) % 1000);
  return wallClock(whole, timeZone) - whole;
}

/** A wall-clock moment in a zone → UTC ms. */
export function zonedToUtc(date: string, hour: number, minute: number, timeZone: string): number {
  const [y, m, d] = parseDate(date);
  const asUtc = Date.UTC(y, m - 1, d, hour, minute);
  const first = asUtc - zoneOffset(asUtc, timeZone);
  const second = asUtc - zoneOffset(first, timeZone);
  return second;
}

function parseDate(date: string): [number, number, number] {
  const match = DATE.exec(date);
  const parts = match ? ([Number(match[1]), Number(match[2]), Number(match[3])] as const) : null;
  const valid =
    parts !== null &&
    (() => {
      const t = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
      return t.getUTCFullYear() === parts[0] && t.getUTCMonth() === parts[1] - 1 && t.getUTCDate() === parts[2];
    })();
  if (!valid || parts[0] < 2000 || parts[0] > 2200) {
    throw new Invalid('Choose a real date (YYYY-MM-DD).', { week: 'Choose a real date.' });
  }
  return [parts[0], parts[1], parts[2]];
}

const iso = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);

/** Any date → the Monday of its week (a calendar date: no zone involved). */
export function mondayOf(date: string): string {
  const [y, m, d] = parseDate(date);
  const at = Date.UTC(y, m - 1, d);
  const weekday = (new Date(at).getUTCDay() + 6) % 7;
  return iso(at - weekday * DAY);
}

export function addWeeks(week: string, n: number): string {
  const [y, m, d] = parseDate(week);
  return iso(Date.UTC(y, m - 1, d) + n * 7 * DAY);
}

/** The publish moment of the slot named by `week` (its Monday). */
export function publishAtOf(week: string, config: SpotlightConfig): number {
  const [y, m, d] = parseDate(week);
  const day = iso(Date.UTC(y, m - 1, d) + PUBLISH_DAYS.indexOf(config.publishDay) * DAY);
  return zonedToUtc(day, config.publishTime.hour, config.publishTime.minute, config.timeZone);
}

/** When the slot is over: the next slot's publish moment (a spotlight not out by then is missed). */
export function slotEndOf(week: string, config: SpotlightConfig): number {
  return publishAtOf(addWeeks(week, 1), config);
}

/** The Monday of the calendar week `now` falls in, in the publish time zone. */
export function weekContaining(now: number, config: SpotlightConfig): string {
  return mondayOf(iso(Math.floor(wallClock(now, config.timeZone) / DAY) * DAY));
}
