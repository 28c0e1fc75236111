import fc from 'fast-check';

/** Inputs that have broken parsers, loggers, SQL builders and FTS queries elsewhere. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202Eevil.exe\u202C',
  '\u200B',
  '\uFEFF',
  '😀',
  '👩‍👩‍👧‍👦',
  '\uD800',
  'x\uDFFFy',
  'e\u0301',
  'İı',
  '\r\n',
  '\t',
  '%00',
  '%',
  '%zz',
  '../../etc/passwd',
  "'; DROP TABLE members; --",
  '" OR 1=1 --',
  '1 OR 1=1',
  'NULL',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x1F',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '{{7*7}}',
  '${7*7}',
  // FTS5 query syntax: an unbalanced quote or a bare operator is a syntax error if passed through.
  '"',
  'a"b',
  '*',
  'NEAR(',
  'AND',
  'OR NOT',
  '^a',
  'col:value',
  '-',
  '(',
  ')',
  '@',
  '@@@',
  'a@b.c',
  '#',
  '9999-99-99',
  '0000-00-00',
  '2024-02-30',
  '-001-01-01'
];

/** Numbers at the edges of JSON, JS and SQLite integers. */
export const EDGE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  1.5,
  -1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  2 ** 63,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e-7
];

/** Number literals JSON.stringify cannot produce: the parser has to cope with them. */
export const RAW_NUMBER_LITERALS: readonly string[] = [
  '1e309',
  '-1e309',
  '1e-400',
  '123456789012345678901234567890',
  '9223372036854775808',
  '-9223372036854775809',
  '0.1e1',
  '1E2',
  '-0.0',
  '1.0000000000000000000000001'
];

/** Printable ASCII only: a header value the HTTP layer itself would refuse is not a server test. */
export const headerText = (maxLength = 60) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    // Long enough to pass every maxLength we have except the post body, short enough to stay under the body limit.
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '😀', '\u202E', ' '), fc.constantFrom(101, 255, 256, 1025, 2001, 4001, 51_001))
      .map(([c, n]) => c.repeat(n))
  }
);

/** Any value at all, typed wrongly for most fields. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) }
);

/** Keys nobody declared, including the ones that poison prototypes. */
export const strangeKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'role', 'admin', 'isAdmin', '', ' ', '\u0000', '😀'),
  fc.string({ maxLength: 12 })
);

/** Raw JSON texts that the parser must refuse (or accept) without falling over. */
export const RAW_BODIES: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '[',
  'null',
  'true',
  '0',
  '-1',
  '"text"',
  '[]',
  '[{}]',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '\uFEFF{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":1e999}',
  '{"a":NaN}',
  '{"a":undefined}',
  '{"a" 1}',
  '/*c*/{}'
];

/** Prototype-poisoning bodies; the JSON parser must refuse every one with 400. */
export function protoBodies(key: string): string[] {
  const k = JSON.stringify(key);
  return [
    `{"__proto__":{"role":"admin"}}`,
    `{${k}:"x","__proto__":{"isAdmin":true}}`,
    `{"constructor":{"prototype":{"role":"admin"}}}`,
    `{${k}:{"__proto__":{"x":1}}}`,
    `{${k}:[{"constructor":{"prototype":{"x":1}}}]}`,
    `{"\\u005f\\u005fproto__":{"x":1}}`
  ];
}

/** Deeply nested JSON: arrays, objects, or nested under a declared key. */
export function deepBody(kind: 'array' | 'object' | 'field', depth: number, key: string): string {
  if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
  if (kind === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return `{${JSON.stringify(key)}:` + '['.repeat(depth) + ']'.repeat(depth) + '}';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** encodeURIComponent, but a lone surrogate becomes raw invalid UTF-8 bytes instead of a thrown URIError. */
export function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')) + '%ED%A0%80';
  }
}
