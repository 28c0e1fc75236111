import { generateHOTP, createTOTPKeyURI } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { timingSafeEqual } from 'node:crypto';

/** RFC 6238: 30-second steps, 6 digits, SHA-1 (what every authenticator app speaks). */
export const TOTP_PERIOD_SECONDS = 30;

export function newTotpKey(): Uint8Array {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return key;
}

export function totpUri(issuer: string, account: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, account, key, TOTP_PERIOD_SECONDS, 6);
}

export function manualKey(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key)
    .replace(/(.{4})/g, '$1 ')
    .trim();
}

export function totpStep(now: number): number {
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
}

export function totpCode(key: Uint8Array, now: number): string {
  return generateHOTP(key, BigInt(totpStep(now)), 6);
}

/**
 * The step a code matches (one step of clock drift either way), or null. The caller refuses a step
 * at or below the last accepted one, so a code cannot be replayed.
 */
export function matchTotp(key: Uint8Array, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStep(now);
  for (const step of [current - 1, current, current + 1]) {
    const expected = generateHOTP(key, BigInt(step), 6);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) return step;
  }
  return null;
}
