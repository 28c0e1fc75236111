import fc from 'fast-check';
import { mutatedObject, randomValuesAtKeys, validObject, validValue, type Hints, type JsonSchema } from './schema.ts';
import { enc, NASTY_STRINGS, nastyValue, strangeKey } from './values.ts';

const NASTY_PARAMS = [
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '%201',
  '1%20',
  '+1',
  '01',
  '9007199254740993',
  '99999999999999999999999999',
  '-9223372036854775809',
  'NaN',
  'Infinity',
  'null',
  'abc',
  '__proto__',
  'constructor',
  '%00',
  '%zz',
  '%',
  '%E2%80%AE1',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '..',
  '.',
  '%2e%2e',
  '1%2F2',
  '1;2',
  '1,2',
  "1'",
  '1'.repeat(400)
];

export function paramArb(schema: JsonSchema | undefined, hints: Hints): fc.Arbitrary<string> {
  const declared = schema
    ? validValue(schema, hints, 'id').map((v) => enc(String(v)))
    : fc.integer({ min: 1, max: 12 }).map(String);
  return fc.oneof(
    { weight: 6, arbitrary: declared },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_PARAMS) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()).map((n) => enc(String(n))) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(enc) }
  );
}

function queryValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(queryValue);
  if (value === null) return [''];
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

/** Arrays become repeated keys (a=1&a=2), the way a browser form would send them. */
function serializeQuery(record: Record<string, unknown>): string {
  return Object.entries(record)
    .flatMap(([key, value]) => queryValue(value).map((v) => `${enc(key)}=${enc(v)}`))
    .join('&');
}

const RAW_QUERY = [
  '%',
  '%zz',
  'a=%00',
  'a=%ff%fe',
  '&&&',
  '===',
  'a[]=1&a[]=2',
  'a[b]=1',
  '__proto__=1',
  '__proto__[role]=admin',
  'constructor[prototype][role]=admin',
  '=v',
  'k',
  'q=1&q=2&q=3',
  'limit=1&limit=2',
  'limit=-1',
  'limit=1e3',
  'limit=99999999999999999999'
];

export function queryArb(schema: JsonSchema | undefined, hints: Hints): fc.Arbitrary<string> {
  const random = fc.dictionary(strangeKey, nastyValue, { maxKeys: 4 }).map(serializeQuery);
  const garbage = fc.constantFrom(...RAW_QUERY);
  if (!schema) return fc.oneof({ weight: 6, arbitrary: fc.constant('') }, random, garbage);
  const repeated = validObject(schema, hints).chain((record) => {
    const keys = Object.keys(schema.properties ?? {});
    return fc.constantFrom(...keys).chain((key) =>
      fc.array(validValue(schema.properties![key]!, hints, key), { minLength: 2, maxLength: 3 }).map((values) => ({
        ...record,
        [key]: values
      }))
    );
  });
  return fc.oneof(
    { weight: 6, arbitrary: validObject(schema, hints).map(serializeQuery) },
    { weight: 4, arbitrary: mutatedObject(schema, hints).map(serializeQuery) },
    { weight: 2, arbitrary: repeated.map(serializeQuery) },
    { weight: 1, arbitrary: randomValuesAtKeys(schema).map(serializeQuery) },
    {
      weight: 1,
      arbitrary: fc.tuple(validObject(schema, hints), garbage).map(([r, g]) => [serializeQuery(r), g].filter(Boolean).join('&'))
    },
    { weight: 1, arbitrary: random }
  );
}

/** Random paths under /api that no route claims. */
export const unknownApiPath: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...NASTY_STRINGS).map(enc), fc.string({ minLength: 1, maxLength: 12 }).map(enc)), {
    minLength: 1,
    maxLength: 4
  })
  .map((segments) => `/api/zz-${segments.join('/')}`);
