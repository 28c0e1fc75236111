import fc from 'fast-check';
import type { RouteInfo } from '../../../server/app.ts';
import { ORIGIN } from '../app.ts';
import { forgedSession, headersArb, isSafe, junkCookie, SESSION_COOKIE } from './headers.ts';
import { mutatedObject, randomValuesAtKeys, validObject, type Hints, type JsonSchema } from './schema.ts';
import { paramArb, queryArb } from './url.ts';
import { deepBody, protoBodies, RAW_BODIES, RAW_NUMBER_LITERALS, strangeKey } from './values.ts';

export { isSafe, SESSION_COOKIE };
export { unknownApiPath } from './url.ts';

export type Who = 'admin' | 'member' | 'signed-out';
/** How the session cookie is sent: alone, among junk cookies, after a forged one, or not at all. */
export type CookieMode = 'own' | 'with-junk' | 'forged-first' | 'forged' | 'none';
export type BodyKind =
  | 'none'
  | 'valid'
  | 'mutated'
  | 'json-value'
  | 'object'
  | 'keys-random-values'
  | 'proto'
  | 'deep'
  | 'huge'
  | 'raw-number'
  | 'raw';

export const BODY_LIMIT = 256 * 1024;

export interface FuzzRequest {
  who: Who;
  cookieMode: CookieMode;
  junkCookies: string;
  method: string;
  url: string;
  /** The path parameters as sent (percent-encoded). */
  params: string[];
  headers: Record<string, string>;
  body: { kind: BodyKind; text: string | undefined };
}

/** Whether the Origin check (server/plugins/security.ts) lets this request through. */
export function originPasses(req: FuzzRequest): boolean {
  if (isSafe(req.method)) return true;
  if (req.headers.origin === ORIGIN) return true;
  return req.headers.origin === undefined && req.headers['sec-fetch-site'] === 'same-origin';
}

/**
 * Whether Fastify's router may turn this request away before any hook runs: a path parameter with a
 * broken percent-encoding (400) or longer than maxParamLength, 100 (414).
 */
export function routerMayRefuse(req: FuzzRequest): boolean {
  return req.params.some((p) => {
    try {
      decodeURIComponent(p);
    } catch {
      return true;
    }
    return p.length > 100;
  });
}

export function contentType(req: FuzzRequest): string | undefined {
  return req.headers['content-type'];
}

/** Short enough to read in a failure report: long strings are cut, with their length. */
export function describe(req: FuzzRequest): string {
  const cut = (s: string) => (s.length > 300 ? `${JSON.stringify(s.slice(0, 300))}… (${s.length} chars)` : JSON.stringify(s));
  const body = req.body.text === undefined ? '(none)' : cut(req.body.text);
  return [
    `${req.method} ${cut(req.url)} as ${req.who} (cookie: ${req.cookieMode}${req.junkCookies ? ` + ${cut(req.junkCookies)}` : ''})`,
    `  headers: ${cut(JSON.stringify(req.headers))}`,
    `  body [${req.body.kind}]: ${body}`
  ].join('\n');
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function bodyArb(schema: JsonSchema | undefined, hints: Hints): fc.Arbitrary<FuzzRequest['body']> {
  const s: JsonSchema = schema ?? { type: 'object', properties: {}, required: [] };
  const keys = Object.keys(s.properties ?? {});
  const someKey = keys.length ? fc.constantFrom(...keys) : strangeKey;
  const of = (kind: BodyKind, text: fc.Arbitrary<string | undefined>) => text.map((t) => ({ kind, text: t }));
  return fc.oneof(
    { weight: 2, arbitrary: of('none', fc.constant(undefined)) },
    { weight: 10, arbitrary: of('valid', validObject(s, hints).map(json)) },
    { weight: 10, arbitrary: of('mutated', mutatedObject(s, hints).map(json)) },
    { weight: 3, arbitrary: of('json-value', fc.jsonValue().map(json)) },
    { weight: 2, arbitrary: of('object', fc.object().map(json)) },
    { weight: 5, arbitrary: of('keys-random-values', randomValuesAtKeys(s).map(json)) },
    {
      weight: 2,
      arbitrary: of(
        'proto',
        someKey.chain((k) => fc.constantFrom(...protoBodies(k)))
      )
    },
    {
      weight: 1,
      arbitrary: of(
        'deep',
        fc
          .tuple(
            fc.constantFrom('array', 'object', 'field') as fc.Arbitrary<'array' | 'object' | 'field'>,
            fc.constantFrom(64, 1000, 20_000),
            someKey
          )
          .map(([kind, depth, key]) => deepBody(kind, depth, key))
      )
    },
    {
      weight: 1,
      arbitrary: of(
        'huge',
        fc
          .tuple(
            validObject(s, hints),
            someKey,
            fc.constantFrom('a', 'é', '😀'),
            fc.integer({ min: 300 * 1024, max: 400 * 1024 })
          )
          .map(([base, key, c, n]) => json({ ...base, [key]: c.repeat(Math.ceil(n / Buffer.byteLength(c))) }))
      )
    },
    {
      weight: 1,
      arbitrary: of(
        'raw-number',
        fc.tuple(someKey, fc.constantFrom(...RAW_NUMBER_LITERALS)).map(([k, n]) => `{${JSON.stringify(k)}:${n}}`)
      )
    },
    { weight: 2, arbitrary: of('raw', fc.oneof(fc.constantFrom(...RAW_BODIES), fc.string({ unit: 'binary', maxLength: 40 }))) }
  );
}

export function requestArb(route: RouteInfo, hints: Hints): fc.Arbitrary<FuzzRequest> {
  const schema = (route.schema ?? {}) as { body?: JsonSchema; querystring?: JsonSchema; params?: JsonSchema };
  const hasBody = !isSafe(route.method);
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = fc.tuple(...names.map((n) => paramArb(schema.params?.properties?.[n], hints)));
  const who = fc.oneof(
    { weight: 14, arbitrary: fc.constant<Who>('admin') },
    { weight: 3, arbitrary: fc.constant<Who>('member') },
    { weight: 3, arbitrary: fc.constant<Who>('signed-out') }
  );
  const cookieMode = fc.oneof(
    { weight: 12, arbitrary: fc.constant<CookieMode>('own') },
    fc.constantFrom<CookieMode>('with-junk', 'forged-first', 'forged', 'none')
  );
  return fc
    .record({
      who,
      cookieMode,
      junk: fc.array(junkCookie, { maxLength: 3 }),
      forged: forgedSession,
      params,
      query: queryArb(schema.querystring, hints),
      headers: headersArb(route.method, hasBody),
      body: hasBody ? bodyArb(schema.body, hints) : fc.constant({ kind: 'none' as const, text: undefined })
    })
    .map((r) => {
      let i = 0;
      const path = route.url.replace(/:(\w+)/g, () => r.params[i++]!);
      const mode: CookieMode =
        r.who === 'signed-out' && (r.cookieMode === 'own' || r.cookieMode === 'with-junk') ? 'none' : r.cookieMode;
      const forged = `${SESSION_COOKIE}=${r.forged}`;
      const junk = [...r.junk, ...(mode === 'forged-first' || mode === 'forged' ? [forged] : [])].filter(Boolean).join('; ');
      return readable({
        who: r.who,
        cookieMode: mode,
        junkCookies: junk,
        method: route.method,
        url: r.query ? `${path}?${r.query}` : path,
        params: [...r.params],
        headers: r.headers,
        body: r.body
      });
    });
}

/** fast-check prints counterexamples with this: a 400 KB body stays a one-line summary. */
function readable(req: FuzzRequest): FuzzRequest {
  Object.defineProperty(req, fc.toStringMethod, { value: () => describe(req), enumerable: false });
  return req;
}
