import { Invalid } from './errors.ts';

/** 'YYYY-MM-DD' → UTC ms at the end of that day; a clear 400 for a date that does not exist. */
export function endOfDayUtc(value: string, field: string): number {
  const ms = Date.parse(`${value}T23:59:59.999Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new Invalid(`${value} is not a real date.`, { [field]: 'Enter a real date (YYYY-MM-DD).' });
  }
  return ms;
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
