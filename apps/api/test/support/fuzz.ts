import fc from 'fast-check';

/**
 * Generators of bad (and now and then good) requests for the fuzz tests. Anything that depends
 * on the running server — a seeded runner's id, a user's token — is generated as a choice and
 * resolved when the request is sent, so generated values stay plain data that fast-check can
 * shrink and print.
 */

/** One code point of any kind, weighted toward the troublesome: lone surrogates and controls. */
const anyChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map(fromCode) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map(fromCode) },
  { weight: 1, arbitrary: fc.constantFrom('\u007f', '\u0085', '\u2028', '\ufeff', '\ufffe') },
);

function fromCode(code: number): string {
  return String.fromCharCode(code);
}

/** Short text of any Unicode, lone surrogates and control characters included. */
export const wideString = fc.string({ unit: anyChar, maxLength: 40 });

/** A string of 1 000 to 100 000 UTF-16 units: a short random pattern, repeated. */
export const hugeString = fc
  .tuple(
    fc.string({ unit: anyChar, minLength: 1, maxLength: 6 }),
    fc.integer({ min: 1_000, max: 100_000 }),
  )
  .map(([pattern, length]) => pattern.repeat(Math.ceil(length / pattern.length)).slice(0, length));

/** What a header value can carry on the wire: visible ASCII, Latin-1, spaces and tabs. */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map(fromCode) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map(fromCode) },
  { weight: 1, arbitrary: fc.constant('\t') },
);
export const headerSafeString = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** Values that mean something to the API, so that generated requests now and then pass. */
const plausible = fc.constantFrom(
  'gpu-box',
  'http://10.0.0.1:8188',
  'https://comfy.example.com/path?q=1',
  'active',
  'disabled',
  'gpu',
  'a100',
  '',
  ' ',
  'http://',
  'http:host',
  'javascript:alert(1)',
  'http://user:pw@host.example',
  'ftp://files.example',
  '00000000-0000-4000-8000-000000000000',
  '1',
  '-1',
  '1e3',
  'null',
);

// Huge strings are rare per value (a request holds many values), so that about one request
// in ten carries one: they cost the most to send and to check.
const scalar = fc.oneof(
  { weight: 10, arbitrary: plausible },
  { weight: 10, arbitrary: wideString },
  { weight: 1, arbitrary: hugeString },
  { weight: 4, arbitrary: fc.integer() },
  { weight: 4, arbitrary: fc.double() },
  {
    weight: 4,
    arbitrary: fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.5, true, false, null),
  },
);

/** Keys an attacker or a confused client would send. */
export const junkKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'id',
    'name',
    'endpoint',
    'tags',
    'headers',
    'status',
    'user_id',
    'created_at',
    'page',
    'per_page',
  ),
  wideString,
);

/** Any nesting of arrays and objects (with `__proto__` and `constructor` keys) over junk scalars. */
export const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(junkKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** fast-check's JSON and "anything" generators, as JSON-compatible values. */
export const randomJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc
    .anything({ key: junkKey, withNullPrototype: true, maxDepth: 3 })
    .map((value) => JSON.parse(JSON.stringify(value ?? null))),
  junkValue,
);

const headerName = fc.oneof(
  fc.constantFrom('Authorization', 'X-Api-Key', 'authorization', '__proto__', 'constructor', ''),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
  wideString,
);
const headerValue = fc.oneof(headerSafeString(30), scalar);

/** Runner fields with values from right to absurd: the shape of a create or an update. */
export const runnerFields: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        name: scalar,
        endpoint: scalar,
        status: scalar,
        tags: fc.oneof(fc.array(fc.oneof(plausible, scalar), { maxLength: 12 }), junkValue),
        headers: fc.oneof(fc.dictionary(headerName, headerValue, { maxKeys: 34 }), junkValue),
      },
      { requiredKeys: [] },
    ),
    fc.option(fc.dictionary(junkKey, junkValue, { maxKeys: 3 }), { freq: 3 }),
  )
  .map(([fields, extra]) => ({ ...fields, ...extra }));

const CI_SEED = 20261129;

/** A runner id: one of the seeded runners (as is, or mangled), or junk. */
export type IdChoice =
  | { readonly kind: 'seed'; readonly index: number; readonly form: SeedIdForm }
  | { readonly kind: 'junk'; readonly value: string };
type SeedIdForm = 'as-is' | 'upper' | 'braces' | 'suffix' | 'spaced' | 'no-dashes' | 'truncated';

export const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('seed' as const),
      index: fc.nat(),
      form: fc.constantFrom<SeedIdForm>(
        'as-is',
        'as-is',
        'upper',
        'braces',
        'suffix',
        'spaced',
        'no-dashes',
        'truncated',
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.uuid(),
        wideString,
        { weight: 1, arbitrary: hugeString },
        fc.constantFrom(
          '',
          '.',
          '..',
          '%',
          '%2F',
          '/',
          'null',
          'undefined',
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
          "' OR 1=1 --",
          '1; DROP TABLE runners',
        ),
      )
      .map((value) => ({ kind: 'junk' as const, value })),
  },
);

export function resolveId(choice: IdChoice, seedIds: readonly string[]): string {
  if (choice.kind === 'junk') return choice.value;
  const id = seedIds[choice.index % seedIds.length] as string;
  switch (choice.form) {
    case 'as-is':
      return id;
    case 'upper':
      return id.toUpperCase();
    case 'braces':
      return `{${id}}`;
    case 'suffix':
      return `${id}x`;
    case 'spaced':
      return ` ${id}`;
    case 'no-dashes':
      return id.replaceAll('-', '');
    case 'truncated':
      return id.slice(0, -1);
  }
}

/** Who a request claims to be: a real user, nobody, or a garbled or foreign header. */
export type AuthChoice =
  | { readonly kind: 'owner' | 'stranger' | 'none' }
  | { readonly kind: 'mangled'; readonly of: 'owner' | 'stranger'; readonly how: Mangling }
  | { readonly kind: 'raw'; readonly value: string };
type Mangling =
  | 'basic'
  | 'lowercase-scheme'
  | 'no-scheme'
  | 'truncated'
  | 'extended'
  | 'twice'
  | 'tab'
  | 'token-and-junk'
  | 'very-long';

export const authChoice: fc.Arbitrary<AuthChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom({ kind: 'owner' as const }) },
  { weight: 2, arbitrary: fc.constantFrom({ kind: 'stranger' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'none' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mangled' as const),
      of: fc.constantFrom('owner' as const, 'stranger' as const),
      how: fc.constantFrom<Mangling>(
        'basic',
        'lowercase-scheme',
        'no-scheme',
        'truncated',
        'extended',
        'twice',
        'tab',
        'token-and-junk',
        'very-long',
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        headerSafeString(60),
        headerSafeString(60).map((junk) => `Bearer ${junk}`),
        headerSafeString(60).map((junk) => `Basic ${Buffer.from(junk).toString('base64')}`),
        fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer rr_', `Bearer rr_${'x'.repeat(43)}`),
        fc.integer({ min: 1_000, max: 12_000 }).map((n) => `Bearer rr_${'A'.repeat(n)}`),
      )
      .map((value) => ({ kind: 'raw' as const, value })),
  },
);

export function resolveAuth(
  choice: AuthChoice,
  tokens: { readonly owner: string; readonly stranger: string },
): string | undefined {
  switch (choice.kind) {
    case 'none':
      return undefined;
    case 'raw':
      return choice.value;
    case 'owner':
    case 'stranger':
      return `Bearer ${tokens[choice.kind]}`;
    case 'mangled': {
      const token = tokens[choice.of];
      return {
        basic: `Basic ${Buffer.from(`user:${token}`).toString('base64')}`,
        'lowercase-scheme': `bearer ${token}`,
        'no-scheme': token,
        truncated: `Bearer ${token.slice(0, -1)}`,
        extended: `Bearer ${token}A`,
        twice: `Bearer ${token} Bearer ${token}`,
        tab: `Bearer\t${token}`,
        'token-and-junk': `Bearer ${token}, Basic eA==`,
        'very-long': `Bearer ${token}${' '.repeat(1)}${'x'.repeat(8_000)}`,
      }[choice.how];
    }
  }
}

/**
 * Whom an Authorization header names, by the documented rule: `Bearer <token>`, the scheme in
 * any case, as fetch sends it (trimmed). Anything else names nobody.
 */
export function namedCaller<T extends string>(
  header: string | undefined,
  tokens: Readonly<Record<T, string>>,
): T | undefined {
  const token = /^bearer[ \t]+(\S+)$/i.exec(header?.trim() ?? '')?.[1];
  return (Object.keys(tokens) as T[]).find((who) => tokens[who] === token);
}

export const contentType = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'application/octet-stream',
      'application/jsonx',
      'application/merge-patch+json',
      '*/*',
      '',
    ),
  },
  { weight: 1, arbitrary: headerSafeString(40) },
);

/** A request body: JSON of a value, raw text, raw bytes (not always UTF-8), or none. */
export type BodyChoice =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'none' };

export const bodyChoice = (value: fc.Arbitrary<unknown>): fc.Arbitrary<BodyChoice> =>
  fc.oneof(
    { weight: 8, arbitrary: value.map((v) => ({ kind: 'json' as const, value: v })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          wideString,
          fc.constantFrom('{', '{"name":', '[', 'null', '"x"', '{"a":1}{"b":2}', '\ufeff{}', 'NaN'),
          randomJson.map((v) => `${JSON.stringify(v)}garbage`),
        )
        .map((value) => ({ kind: 'text' as const, value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 64 })
        .map((value) => ({ kind: 'bytes' as const, value })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );

/** The bytes to send, and the value the server will parse out of them when it is JSON. */
export function encodeBody(choice: BodyChoice): {
  bytes?: Uint8Array;
  parsed?: unknown;
  isJson: boolean;
} {
  switch (choice.kind) {
    case 'none':
      return { isJson: false };
    case 'bytes':
      return { bytes: choice.value, isJson: false };
    case 'json': {
      const text = JSON.stringify(choice.value) ?? 'null';
      return { bytes: Buffer.from(text), parsed: JSON.parse(text), isJson: true };
    }
    case 'text': {
      const bytes = Buffer.from(choice.value);
      try {
        // As the REST body parser does, a leading byte-order mark is skipped (RFC 8259 §8.1).
        const parsed = JSON.parse(bytes.toString().replace(/^\uFEFF/, ''));
        return { bytes, parsed, isJson: true };
      } catch {
        return { bytes, isJson: false };
      }
    }
  }
}

/** A path segment: percent-encoded (lone surrogates as the bytes a broken encoder would send), or raw. */
export function pathSegment(value: string, raw: boolean): string {
  if (raw) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return `${encodeURIComponent(value.toWellFormed())}%ED%A0%80`;
  }
}

/** A list query: known parameters with junk values, unknown ones, repeats, broken escapes. */
export const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('page', 'per_page', 'status', 'tags', 'tags[]'), junkKey),
      fc.oneof(
        fc.constantFrom('1', '2', '100', '101', '0', '-1', '1e3', ' 2', 'active', 'gpu,a100', ''),
        wideString,
        { weight: 1, arbitrary: hugeString.map((s) => s.slice(0, 4_000)) },
      ),
      fc.boolean(),
    ),
    { maxLength: 6 },
  )
  .map((pairs) =>
    pairs
      .map(([key, value, raw]) =>
        raw
          ? `${key}=${value.replace(/[#\s]/g, '%')}`
          : `${pathSegment(key, false)}=${pathSegment(value, false)}`,
      )
      .join('&'),
  );

/**
 * fast-check's parameters for a fuzz property: the number of runs, and a report whose long
 * values (100 KB strings) are cut so that a failure stays readable. The error thrown by the
 * property is kept as the cause; the report names the seed.
 */
export function fuzzRuns<T>(numRuns: number): fc.Parameters<T> {
  // FUZZ_SEED replays a failure: `FUZZ_SEED=<seed> pnpm vitest run test/fuzz.test.ts` in apps/api.
  // CI uses a fixed seed, so a landing never depends on a draw; local runs explore new ones.
  const seed = process.env.FUZZ_SEED
    ? Number(process.env.FUZZ_SEED)
    : process.env.CI && process.env.CI !== 'false'
      ? CI_SEED
      : undefined;
  return {
    numRuns,
    ...(seed !== undefined && { seed }),
    reporter(details) {
      if (!details.failed) return;
      const report = fc.defaultReportMessage(details) ?? 'property failed';
      const cut = report.replace(/[^\n]{1500,}/g, (line) => `${line.slice(0, 1500)}… (cut)`);
      throw new Error(cut, { cause: details.errorInstance });
    },
  };
}
