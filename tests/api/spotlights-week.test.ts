import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { addWeeks, mondayOf, publishAtOf, slotEndOf, weekContaining, zonedToUtc } from '../../server/modules/spotlights/week.ts';
import { TEST_ENV } from '../support/app.ts';

const config = (env: Record<string, string> = {}) => loadConfig({ ...TEST_ENV, ...env }).spotlight;

describe('weekly slots: any date → its Monday', () => {
  it('maps every day of a week to the same Monday, across months and years', () => {
    for (const day of ['2026-03-09', '2026-03-10', '2026-03-12', '2026-03-15']) expect(mondayOf(day)).toBe('2026-03-09');
    expect(mondayOf('2026-03-01')).toBe('2026-02-23');
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
    expect(addWeeks('2026-12-28', 1)).toBe('2027-01-04');
  });

  it('refuses dates that do not exist, with a message for the week field', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-00-10', '1999-12-27']) {
      expect(() => mondayOf(bad)).toThrow(/real date/);
    }
  });
});

describe('publish moment: Monday 09:00 America/New_York by default, right across daylight-saving changes', () => {
  const c = config();

  it('is 14:00 UTC in winter and 13:00 UTC in summer', () => {
    expect(c).toMatchObject({ publishDay: 'monday', publishTime: { hour: 9, minute: 0 }, timeZone: 'America/New_York' });
    expect(publishAtOf('2026-01-05', c)).toBe(Date.UTC(2026, 0, 5, 14));
    expect(publishAtOf('2026-07-06', c)).toBe(Date.UTC(2026, 6, 6, 13));
  });

  it('spring forward: the Monday after (2026-03-09) is EDT, the one before is EST', () => {
    expect(publishAtOf('2026-03-02', c)).toBe(Date.UTC(2026, 2, 2, 14));
    expect(publishAtOf('2026-03-09', c)).toBe(Date.UTC(2026, 2, 9, 13));
    // The slot of 2026-03-02 is one hour shorter than a week.
    expect(slotEndOf('2026-03-02', c) - publishAtOf('2026-03-02', c)).toBe(7 * 24 * 3600_000 - 3600_000);
  });

  it('fall back: the Monday after (2026-11-02) is EST, the one before is EDT', () => {
    expect(publishAtOf('2026-10-26', c)).toBe(Date.UTC(2026, 9, 26, 13));
    expect(publishAtOf('2026-11-02', c)).toBe(Date.UTC(2026, 10, 2, 14));
    expect(slotEndOf('2026-10-26', c) - publishAtOf('2026-10-26', c)).toBe(7 * 24 * 3600_000 + 3600_000);
  });

  it('follows the configured day, time and zone', () => {
    const friday = config({
      SPOTLIGHT_PUBLISH_DAY: 'Friday',
      SPOTLIGHT_PUBLISH_TIME: '16:30',
      SPOTLIGHT_TIME_ZONE: 'America/Los_Angeles'
    });
    // Friday 2026-03-13 16:30 PDT (after the change) = 23:30 UTC.
    expect(publishAtOf('2026-03-09', friday)).toBe(Date.UTC(2026, 2, 13, 23, 30));
    const london = config({ SPOTLIGHT_TIME_ZONE: 'Europe/London', SPOTLIGHT_PUBLISH_TIME: '7:05' });
    expect(publishAtOf('2026-01-05', london)).toBe(Date.UTC(2026, 0, 5, 7, 5));
    expect(publishAtOf('2026-07-06', london)).toBe(Date.UTC(2026, 6, 6, 6, 5));
    expect(zonedToUtc('2026-01-05', 9, 0, 'UTC')).toBe(Date.UTC(2026, 0, 5, 9));
  });

  it('reads "this week" in the zone: Monday 02:00 UTC is still Sunday in New York', () => {
    expect(weekContaining(Date.UTC(2026, 0, 5, 2), c)).toBe('2025-12-29');
    expect(weekContaining(Date.UTC(2026, 0, 5, 6), c)).toBe('2026-01-05');
  });
});

describe('configuration is validated at start', () => {
  it('names the variable and the value in each refusal', () => {
    expect(() => config({ SPOTLIGHT_PUBLISH_DAY: 'mon' })).toThrow(ConfigError);
    expect(() => config({ SPOTLIGHT_PUBLISH_DAY: 'mon' })).toThrow(/SPOTLIGHT_PUBLISH_DAY.*"mon"/);
    expect(() => config({ SPOTLIGHT_PUBLISH_TIME: '9am' })).toThrow(/SPOTLIGHT_PUBLISH_TIME.*"9am"/);
    expect(() => config({ SPOTLIGHT_PUBLISH_TIME: '24:00' })).toThrow(/SPOTLIGHT_PUBLISH_TIME/);
    expect(() => config({ SPOTLIGHT_TIME_ZONE: 'Eastern' })).toThrow(/SPOTLIGHT_TIME_ZONE.*"Eastern"/);
    expect(() => config({ SPOTLIGHT_JOB_INTERVAL_MS: '10' })).toThrow(/SPOTLIGHT_JOB_INTERVAL_MS/);
    expect(config({ SPOTLIGHT_JOB_INTERVAL_MS: '1000' }).jobIntervalMs).toBe(1000);
  });
});
