import fc from 'fast-check';
import { nastyString, nastyValue, strangeKey } from './values.ts';

/** The subset of JSON Schema our routes use (server/shared/schema.ts builds them). */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** Real values from the seeded world, so valid-looking input gets past lookups into the services. */
export interface Hints {
  password: string;
  emails: string[];
}

const ISO_DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const chars = (alphabet: string, length: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });
/** A session/link token's shape (base32, 32 chars); stringMatching is slow for something this simple. */
export const tokenShaped = chars('abcdefghijklmnopqrstuvwxyz234567', 32);
const digits = (n: number) => chars('0123456789', n);
/** Matches ^\d{4}-\d{2}-\d{2}$ but is mostly not a real date (2024-19-45). */
const dateShaped = fc.tuple(digits(4), digits(2), digits(2)).map((p) => p.join('-'));

const realDate = fc
  .date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

function validString(s: JsonSchema, key: string, hints: Hints): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 300;
  const fits = (v: string) => v.length >= min && v.length <= max;
  if (s.pattern) {
    if (s.pattern === ISO_DATE) return fc.oneof(realDate, dateShaped);
    return fc.stringMatching(new RegExp(s.pattern), { maxLength: Math.min(max, 80) }).filter(fits);
  }
  const free = fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, 40)) }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, Math.max(min, 40)) }) },
    { weight: 2, arbitrary: nastyString.filter(fits) },
    // Exactly at the limit: off-by-one bugs live here.
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('a', 'é', '😀')
        .map((c) => c.repeat(max).slice(0, max))
        .filter(fits)
    }
  );
  const lower = key.toLowerCase();
  if (lower.includes('password')) return fc.oneof(fc.constant(hints.password), free);
  if (lower.includes('email') || lower === 'actor' || lower === 'q')
    return fc.oneof(fc.constantFrom(...hints.emails).filter(fits), free);
  if (lower.includes('token')) return fc.oneof(tokenShaped, free);
  if (lower === 'code') return fc.oneof(digits(6), free);
  return free;
}

function validInteger(s: JsonSchema): fc.Arbitrary<number> {
  const min = s.minimum ?? -(2 ** 31);
  const max = s.maximum ?? 2 ** 31 - 1;
  // Mostly small: ids of the seeded rows are small, and that is where the services do real work.
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, min + 3) }) },
    { weight: 2, arbitrary: fc.integer({ min, max: Math.min(max, min + 15) }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
    { weight: 1, arbitrary: fc.integer({ min, max }) }
  );
}

/** A value the schema accepts. */
export function validValue(s: JsonSchema, hints: Hints, key = ''): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) return fc.oneof(...s.anyOf.map((option) => validValue(option, hints, key)));
  switch (s.type) {
    case 'string':
      return validString(s, key, hints);
    case 'integer':
      return validInteger(s);
    case 'number':
      return fc.double({ min: s.minimum, max: s.maximum, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(s.items ?? {}, hints, key), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 10, Math.max(s.minItems ?? 0, 12))
      });
    case 'object':
      return validObject(s, hints);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

export function validObject(s: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, prop] of Object.entries(props)) model[key] = validValue(prop, hints, key);
  return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/** A value the schema should refuse: the wrong type, just past a limit, or outside the enum. */
export function invalidValue(s: JsonSchema): fc.Arbitrary<unknown> {
  const near: unknown[] = [];
  if (s.maxLength !== undefined) near.push('x'.repeat(s.maxLength + 1));
  if (s.minLength) near.push('x'.repeat(s.minLength - 1));
  if (s.minimum !== undefined) near.push(s.minimum - 1, s.minimum - 0.5);
  if (s.maximum !== undefined) near.push(s.maximum + 1);
  if (s.maxItems !== undefined) near.push(Array.from({ length: s.maxItems + 1 }, () => 'ab'));
  if (s.minItems) near.push([]);
  if (s.enum) near.push(`${String(s.enum[0])}_not`, String(s.enum[0]).toUpperCase());
  // Strings are coerced for query strings and params: "Infinity" and "1e400" become numbers there.
  if (s.type === 'integer') near.push('1', '1.0', 1.5, true, 'Infinity', '-Infinity', '1e400', 'NaN', '0x10');
  if (s.type === 'boolean') near.push('true', 1, 0, 'yes');
  if (s.type === 'string') near.push(1, true, [], {}, ['a', 'b']);
  const wrong = near.length ? fc.oneof(fc.constantFrom(...near), nastyValue) : nastyValue;
  return wrong;
}

type Mutation = { drop: string } | { set: string; value: unknown } | { extra: string; value: unknown };

/** A declared object with one to three things wrong with it. */
export function mutatedObject(s: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(s.properties ?? {});
  const mutations: fc.Arbitrary<Mutation>[] = [
    fc.record({ extra: strangeKey, value: fc.jsonValue({ maxDepth: 2 }) }),
    ...props.map(([key]) => fc.constant<Mutation>({ drop: key })),
    ...props.map(([key, prop]) => invalidValue(prop).map<Mutation>((value) => ({ set: key, value }))),
    ...props.map(([key]) => nastyValue.map<Mutation>((value) => ({ set: key, value })))
  ];
  return fc.tuple(validObject(s, hints), fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 3 })).map(([base, list]) => {
    const out: Record<string, unknown> = { ...base };
    for (const m of list) {
      if ('drop' in m) delete out[m.drop];
      else if ('set' in m) out[m.set] = m.value;
      // defineProperty: a plain assignment to "__proto__" would set the prototype instead of a key.
      else Object.defineProperty(out, m.extra, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
    return out;
  });
}

/** Each declared key with any value at all. */
export function randomValuesAtKeys(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(s.properties ?? {});
  if (!keys.length) return fc.dictionary(strangeKey, nastyValue, { maxKeys: 3 });
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key of keys) model[key] = nastyValue;
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
}
