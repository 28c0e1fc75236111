import fc from 'fast-check';
import { ORIGIN } from '../app.ts';
import { tokenShaped } from './schema.ts';
import { headerText } from './values.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafe(method: string): boolean {
  return SAFE.has(method);
}

const CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;',
  'application/vnd.api+json',
  'application/jsonx',
  'text/html',
  'application/octet-stream',
  '*/*',
  ''
];

const BAD_ORIGINS = [
  'null',
  'http://evil.example',
  `${ORIGIN}/`,
  `${ORIGIN}.evil.example`,
  'http://localhost:3001',
  ORIGIN.toUpperCase()
];

/** Session-cookie names the app uses (plain http origin in tests: no __Host- prefix). */
export const SESSION_COOKIE = 'tfc_session';

export function headersArb(method: string, hasBody: boolean): fc.Arbitrary<Record<string, string>> {
  const contentType = hasBody
    ? fc.oneof(
        { weight: 12, arbitrary: fc.constant<string | undefined>('application/json') },
        fc.constantFrom<string | undefined>(undefined, ...CONTENT_TYPES),
        headerText(40)
      )
    : fc.constant<string | undefined>(undefined);
  const origin = isSafe(method)
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constant<string | undefined>(undefined) },
        fc.constantFrom<string | undefined>(ORIGIN, ...BAD_ORIGINS)
      )
    : fc.oneof(
        { weight: 17, arbitrary: fc.constant<string | undefined>(ORIGIN) },
        fc.constantFrom<string | undefined>(undefined, ...BAD_ORIGINS),
        headerText(30)
      );
  const extras = fc.record(
    {
      'sec-fetch-site': fc.constantFrom('same-origin', 'cross-site', 'none', 'same-site'),
      accept: fc.oneof(fc.constantFrom('text/html', '*/*', 'application/xml', ''), headerText(30)),
      'user-agent': headerText(200),
      'x-forwarded-for': fc.oneof(fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'not-an-ip', ''), headerText(40)),
      'x-tfc-internal': headerText(40),
      'x-tfc-client-ip': headerText(40),
      'accept-language': fc.constantFrom('en', 'ar', '*', 'xx-YY;q=2'),
      'content-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x-unknown')
    },
    { requiredKeys: [] }
  );
  return fc.tuple(contentType, origin, extras).map(([ct, o, extra]) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers[k] = v;
    if (ct !== undefined) headers['content-type'] = ct;
    if (o !== undefined) headers.origin = o;
    return headers;
  });
}

export const junkCookie = fc.oneof(
  fc.constantFrom(
    '',
    'a=b',
    'tfc_mfa=garbage',
    'tfc_mfa=',
    '=x',
    ';;',
    'x',
    '__Host-tfc_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
  ),
  fc.tuple(headerText(10), headerText(40)).map(([k, v]) => `${k.replace(/[=;\s]/g, '') || 'k'}=${v.replace(/;/g, '')}`)
);

export const forgedSession = fc.oneof(
  tokenShaped,
  fc.constantFrom('', 'null', 'undefined', '%00', 'a'.repeat(5000), '../../x'),
  headerText(40).map((v) => v.replace(/;/g, ''))
);
