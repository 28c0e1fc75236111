import type { InjectOptions } from 'fastify';
import { call, cookiesFrom, type TestApp } from '../app.ts';
import { base32Decode } from '../totp.ts';
import { totpCode, totpStep } from '../../../server/shared/totp.ts';
import { generateHOTP } from '@oslojs/otp';

type Reply = Awaited<ReturnType<typeof call>>;

export interface RequestOptions {
  body?: unknown;
  cookie?: string;
  /** Same-origin Origin by default on state-changing methods; null sends none. */
  origin?: string | null;
  headers?: Record<string, string>;
  /** The socket address the request comes from (default 127.0.0.1). */
  ip?: string;
}

/** Like `call`, but the socket address can be chosen: the per-IP limits are keyed by it. */
export function request(t: TestApp, method: InjectOptions['method'], url: string, opts: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const safe = method === 'GET' || method === 'HEAD';
  const origin = opts.origin === undefined ? (safe ? null : t.config.publicOrigin) : opts.origin;
  if (origin) headers.origin = origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  return t.app.inject({
    method,
    url,
    headers,
    remoteAddress: opts.ip ?? '127.0.0.1',
    ...(opts.body !== undefined ? { payload: opts.body as Record<string, unknown> } : {})
  });
}

export function signIn(t: TestApp, email: string, password: string, opts: Omit<RequestOptions, 'body'> = {}) {
  return request(t, 'POST', '/api/auth/sign-in', { ...opts, body: { email, password } });
}

/** Sign in with password (and the TOTP code when asked); returns the browser's cookie header. */
export async function signInFully(
  t: TestApp,
  who: { email: string; password: string; code?: () => string },
  opts: Omit<RequestOptions, 'body'> = {}
): Promise<string> {
  const first = await signIn(t, who.email, who.password, opts);
  if (first.statusCode !== 200) throw new Error(`sign-in failed: ${first.statusCode} ${first.body}`);
  let cookie = cookiesFrom(first, opts.cookie ?? '');
  if (first.json().next === 'mfa') {
    if (!who.code) throw new Error('MFA asked but no code source given');
    const second = await request(t, 'POST', '/api/auth/mfa', { ...opts, cookie, body: { code: who.code() } });
    if (second.statusCode !== 200) throw new Error(`MFA failed: ${second.statusCode} ${second.body}`);
    cookie = cookiesFrom(second, cookie);
  }
  return cookie;
}

export interface ParsedCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to ''. */
  attrs: Map<string, string>;
  raw: string;
}

export function setCookies(res: { headers: Record<string, unknown> }): ParsedCookie[] {
  const set = res.headers['set-cookie'];
  const list = (Array.isArray(set) ? set : set ? [set] : []) as string[];
  return list.map((raw) => {
    const [pair, ...rest] = raw.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const attrs = new Map<string, string>();
    for (const a of rest) {
      const i = a.indexOf('=');
      attrs.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
    }
    return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs, raw };
  });
}

/** The cookie of that name in a reply, or undefined. */
export function setCookie(res: { headers: Record<string, unknown> }, name: string): ParsedCookie | undefined {
  return setCookies(res).find((c) => c.name === name);
}

/** True when the Set-Cookie tells the browser to drop the cookie. */
export function isCleared(c: ParsedCookie): boolean {
  return c.value === '' || c.attrs.get('max-age') === '0' || /1970/.test(c.attrs.get('expires') ?? '');
}

export function auditRows(t: TestApp, action?: string) {
  const rows = t.db.$client.prepare('SELECT * FROM audit_log ORDER BY id').all() as {
    id: number;
    action: string;
    actor_id: number | null;
    actor_email: string | null;
    target_id: string | null;
    outcome: string;
    ip: string;
    user_agent: string;
    detail: string | null;
  }[];
  return action ? rows.filter((r) => r.action === action) : rows;
}

/** Enrol TOTP through the API the way the account page does; returns the key and the recovery codes. */
export async function enrolMfa(t: TestApp, cookie: string): Promise<{ key: Uint8Array; recoveryCodes: string[] }> {
  const start = await call(t.app, 'POST', '/api/account/mfa/start', { cookie });
  if (start.statusCode !== 200) throw new Error(`mfa start: ${start.statusCode} ${start.body}`);
  const key = base32Decode((start.json().manualKey as string).replace(/\s/g, ''));
  const confirm = await call(t.app, 'POST', '/api/account/mfa/confirm', { cookie, body: { code: totpCode(key, t.clock.now()) } });
  if (confirm.statusCode !== 200) throw new Error(`mfa confirm: ${confirm.statusCode} ${confirm.body}`);
  return { key, recoveryCodes: confirm.json().recoveryCodes as string[] };
}

/** A 6-digit code that matches none of the steps the server accepts right now (drift ±1). */
export function wrongCode(key: Uint8Array, now: number): string {
  const step = totpStep(now);
  const valid = new Set([-1, 0, 1].map((d) => generateHOTP(key, BigInt(step + d), 6)));
  for (let n = 100000; ; n++) {
    const candidate = String(n);
    if (!valid.has(candidate)) return candidate;
  }
}

/** Distinct words: long passwords made of them are neither repetitive nor in any dictionary as a whole. */
const WORDS = [
  'harbor',
  'lantern',
  'quilt',
  'meadow',
  'copper',
  'falcon',
  'violet',
  'summit',
  'ember',
  'glacier',
  'orchid',
  'pebble',
  'thistle',
  'walnut',
  'zephyr',
  'canyon',
  'juniper',
  'saffron',
  'marble',
  'tundra',
  'cobalt',
  'willow',
  'basalt',
  'quartz',
  'heron',
  'lichen',
  'mosaic',
  'nutmeg',
  'oyster',
  'prairie',
  'rhubarb',
  'sequoia',
  'tamarind',
  'umber',
  'vellum',
  'wharf',
  'yarrow',
  'azalea',
  'bramble',
  'cinder',
  'dervish',
  'estuary',
  'fennel',
  'gossamer',
  'hickory',
  'indigo',
  'jasmine',
  'kestrel'
];

/** A passphrase of exactly `length` characters made of distinct words (offset picks a different set). */
export function passphrase(length: number, offset = 0): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += (out ? ' ' : '') + WORDS[(i + offset) % WORDS.length];
  const cut = out.slice(0, length);
  return cut.endsWith(' ') ? `${cut.slice(0, -1)}q` : cut;
}
