import { describe, expect, it } from 'vitest';
import { describeInputIssues, type InputIssue, toInputIssues } from '../src/issues';
import {
  RUNNER_LIMITS,
  RunnerCreateInput,
  RunnerEndpoint,
  RunnerHeaders,
  RunnerId,
  RunnerIdInput,
  RunnerListInput,
  RunnerName,
  RunnerStatus,
  RunnerTag,
  RunnerTags,
  RunnerUpdateInput,
} from '../src/runner';

// ---------------------------------------------------------------------------
// Helpers: every assertion checks the success flag first, then the data or the issues.
// ---------------------------------------------------------------------------

interface Schema {
  safeParse(
    value: unknown,
  ): { success: true; data: unknown } | { success: false; error: { issues: unknown[] } };
}

/** Parses `value`, asserts it was accepted and returns the parsed data. */
function accepted(schema: Schema, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (!result.success) {
    expect.fail(
      `expected ${JSON.stringify(value)} to be accepted, got ${JSON.stringify(result.error.issues)}`,
    );
  }
  expect(result.success).toBe(true);
  return result.data;
}

/** Parses `value`, asserts it was rejected and returns the issues as the API reports them. */
function rejected(schema: Schema, value: unknown): InputIssue[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  if (result.success) throw new Error('unreachable');
  return toInputIssues(result.error.issues as Parameters<typeof toInputIssues>[0]);
}

const UUID = '5f0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1c';
const ENDPOINT = 'http://127.0.0.1:8188';
const EMOJI = '\u{1F600}'; // one code point, two UTF-16 units

const NAME_LENGTH = `must be 1 to ${RUNNER_LIMITS.nameMaxLength} characters long`;
const TAG_LENGTH = `must be 1 to ${RUNNER_LIMITS.tagMaxLength} characters long`;
const TEXT_CONTROL = 'must not contain control characters or invalid Unicode';
const NOT_A_STRING = 'must be a string';
const ENDPOINT_ABSOLUTE = 'must be an absolute http:// or https:// URL';
const ENDPOINT_SCHEME = 'must use http:// or https://';
const ENDPOINT_CREDENTIALS = 'must not embed credentials; send them as headers instead';
const ENDPOINT_WHITESPACE = 'must not contain surrounding whitespace or control characters';
const ENDPOINT_LENGTH = `must be at most ${RUNNER_LIMITS.endpointMaxLength} characters long`;
const STATUS = 'must be "active" or "disabled"';
const TAGS_NOT_ARRAY = 'must be an array of strings';
const TAGS_TOO_MANY = `must hold at most ${RUNNER_LIMITS.tagsMax} tags`;
const TAGS_REPEATED = 'must not repeat a tag';
const HEADER_NAME = `header name must be an HTTP token of 1 to ${RUNNER_LIMITS.headerNameMaxLength} characters`;
const HEADER_RESERVED = 'header name is reserved';
const HEADER_VALUE_CONTROL =
  'must hold only printable ASCII or Latin-1 characters, spaces and tabs (no CR, LF, NUL or other control characters)';
const HEADER_VALUE_LENGTH = `must be at most ${RUNNER_LIMITS.headerValueMaxLength} characters long`;
const HEADERS_TOO_MANY = `must hold at most ${RUNNER_LIMITS.headersMax} headers`;
const HEADERS_REPEATED = 'must not repeat a header name (names ignore case)';
const HEADERS_NOT_OBJECT = 'must be an object of strings';
const UUID_MESSAGE = 'must be a UUID';
const PAGE = 'must be an integer of at least 1';
const PER_PAGE = `must be an integer from 1 to ${RUNNER_LIMITS.perPageMax}`;

/** `count` distinct headers named X-H-0, X-H-1, … */
const manyHeaders = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`X-H-${i}`, 'v']));
/** `count` distinct tags t0, t1, … */
const manyTags = (count: number): string[] => Array.from({ length: count }, (_, i) => `t${i}`);

describe('RUNNER_LIMITS', () => {
  it('states the documented limits', () => {
    expect(RUNNER_LIMITS).toEqual({
      nameMaxLength: 100,
      endpointMaxLength: 2048,
      tagsMax: 10,
      tagMaxLength: 64,
      headersMax: 32,
      headerNameMaxLength: 128,
      headerValueMaxLength: 4096,
      perPageMax: 100,
      perPageDefault: 10,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(RUNNER_LIMITS)).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// name
// ---------------------------------------------------------------------------

describe('RunnerName', () => {
  it.each([
    ['1 character (the minimum)', 'a'],
    [
      `${RUNNER_LIMITS.nameMaxLength} characters (the maximum)`,
      'a'.repeat(RUNNER_LIMITS.nameMaxLength),
    ],
    [
      `${RUNNER_LIMITS.nameMaxLength} emoji, counted as code points, not UTF-16 units`,
      EMOJI.repeat(RUNNER_LIMITS.nameMaxLength),
    ],
    ['inner spaces', 'gpu box 1'],
    ['non-ASCII letters', 'Grafikkarte für Übungen'],
    ['a well-formed surrogate pair', `box ${EMOJI}`],
  ])('accepts a name of %s', (_, name) => {
    expect(accepted(RunnerName, name)).toBe(name);
  });

  it.each([
    ['0 characters', ''],
    [`${RUNNER_LIMITS.nameMaxLength + 1} characters`, 'a'.repeat(RUNNER_LIMITS.nameMaxLength + 1)],
    [`${RUNNER_LIMITS.nameMaxLength + 1} emoji`, EMOJI.repeat(RUNNER_LIMITS.nameMaxLength + 1)],
  ])('rejects a name of %s as out of range', (_, name) => {
    expect(rejected(RunnerName, name)).toEqual([{ path: [], message: NAME_LENGTH }]);
  });

  it('counts an emoji name at the limit in code points even though its UTF-16 length is twice the limit', () => {
    const name = EMOJI.repeat(RUNNER_LIMITS.nameMaxLength);
    expect(name.length).toBe(2 * RUNNER_LIMITS.nameMaxLength);
    expect(RunnerName.safeParse(name).success).toBe(true);
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an array', ['gpu']],
    ['an object', { name: 'gpu' }],
    ['a boolean', true],
  ])('rejects %s as not a string', (_, value) => {
    expect(rejected(RunnerName, value)).toEqual([{ path: [], message: NOT_A_STRING }]);
  });

  it.each([
    ['NUL', 'gpu\u0000box'],
    ['LF', 'gpu\nbox'],
    ['CR', 'gpu\rbox'],
    ['TAB', 'gpu\tbox'],
    ['DEL', 'gpu\u007fbox'],
    ['NEL (U+0085, a C1 control)', 'gpu\u0085box'],
    ['ESC', '\u001b[31mred'],
  ])('rejects a name containing %s', (_, name) => {
    expect(rejected(RunnerName, name)).toEqual([{ path: [], message: TEXT_CONTROL }]);
  });

  it.each([
    ['a lone high surrogate', 'gpu\uD800'],
    ['a lone low surrogate', '\uDC00gpu'],
    ['reversed surrogates', 'gpu\uDE00\uD83D'],
  ])('rejects a name containing %s', (_, name) => {
    expect(rejected(RunnerName, name)).toEqual([{ path: [], message: TEXT_CONTROL }]);
  });
});

// ---------------------------------------------------------------------------
// endpoint
// ---------------------------------------------------------------------------

describe('RunnerEndpoint', () => {
  it.each([
    'http://example.com',
    'https://example.com',
    'https://my-comfy.example.com',
    'http://192.168.1.100:8188',
    'http://10.0.0.5:8188',
    'http://127.0.0.1:8188',
    'http://localhost:8188',
    'http://[::1]:8188',
    'https://comfy.example.com:8443/base/path?x=1#frag',
    'HTTPS://EXAMPLE.COM',
  ])('accepts %s', (endpoint) => {
    expect(accepted(RunnerEndpoint, endpoint)).toBe(endpoint);
  });

  it(`accepts an endpoint of exactly ${RUNNER_LIMITS.endpointMaxLength} characters`, () => {
    const prefix = 'https://example.com/';
    const endpoint = prefix + 'a'.repeat(RUNNER_LIMITS.endpointMaxLength - prefix.length);
    expect(endpoint).toHaveLength(RUNNER_LIMITS.endpointMaxLength);
    expect(accepted(RunnerEndpoint, endpoint)).toBe(endpoint);
  });

  it(`rejects an endpoint of ${RUNNER_LIMITS.endpointMaxLength + 1} characters`, () => {
    const prefix = 'https://example.com/';
    const endpoint = prefix + 'a'.repeat(RUNNER_LIMITS.endpointMaxLength + 1 - prefix.length);
    expect(endpoint).toHaveLength(RUNNER_LIMITS.endpointMaxLength + 1);
    expect(rejected(RunnerEndpoint, endpoint)).toEqual([{ path: [], message: ENDPOINT_LENGTH }]);
  });

  it.each([
    ['ftp://', 'ftp://example.com/comfy'],
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['ws:', 'ws://127.0.0.1:8188'],
    ['data:', 'data:text/plain,hi'],
    ['a host mistaken for a scheme', 'localhost:8188'],
  ])('rejects the %s scheme', (_, endpoint) => {
    expect(rejected(RunnerEndpoint, endpoint)).toEqual([{ path: [], message: ENDPOINT_SCHEME }]);
  });

  it.each([
    ['an empty string', ''],
    ['a relative path', '/comfy/api'],
    ['a scheme-relative URL', '//example.com'],
    ['a bare host', 'example.com'],
    ["'http://' with no host", 'http://'],
    ["'https://' with no host", 'https://'],
    ['an inner space in the host', 'http://exa mple.com'],
    ['an out-of-range port', 'http://example.com:99999'],
  ])('rejects %s as not an absolute URL', (_, endpoint) => {
    expect(rejected(RunnerEndpoint, endpoint)).toEqual([{ path: [], message: ENDPOINT_ABSOLUTE }]);
  });

  it.each([
    ['user and password', 'http://user:secret@example.com'],
    ['a user only', 'https://user@example.com:8188'],
    ['a password only', 'https://:secret@example.com'],
  ])('rejects credentials in the URL (%s)', (_, endpoint) => {
    expect(rejected(RunnerEndpoint, endpoint)).toEqual([
      { path: [], message: ENDPOINT_CREDENTIALS },
    ]);
  });

  it.each([
    ['a leading space', ' http://example.com'],
    ['a trailing space', 'http://example.com '],
    ['a trailing newline', 'http://example.com\n'],
    ['a leading tab', '\thttp://example.com'],
    ['a trailing no-break space', 'http://example.com\u00a0'],
    ['an inner tab', 'http://exa\tmple.com'],
    ['an inner NUL', 'http://example.com/\u0000'],
  ])('rejects an endpoint with %s', (_, endpoint) => {
    expect(rejected(RunnerEndpoint, endpoint)).toEqual([
      { path: [], message: ENDPOINT_WHITESPACE },
    ]);
  });

  it.each([
    ['a number', 8188],
    ['null', null],
    ['a URL object', new URL('http://example.com')],
  ])('rejects %s as not a string', (_, value) => {
    expect(rejected(RunnerEndpoint, value)).toEqual([{ path: [], message: NOT_A_STRING }]);
  });
});

// ---------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------

describe('RunnerStatus', () => {
  it.each(['active', 'disabled'])('accepts %s', (status) => {
    expect(accepted(RunnerStatus, status)).toBe(status);
  });

  it.each([['paused'], ['Active'], ['DISABLED'], [''], [' active'], [null], [1], [true]])(
    'rejects %j',
    (status) => {
      expect(rejected(RunnerStatus, status)).toEqual([{ path: [], message: STATUS }]);
    },
  );
});

// ---------------------------------------------------------------------------
// tags
// ---------------------------------------------------------------------------

describe('RunnerTags', () => {
  it.each([0, 1, 5, RUNNER_LIMITS.tagsMax])('accepts %i distinct tags', (count) => {
    const tags = manyTags(count);
    expect(accepted(RunnerTags, tags)).toEqual(tags);
  });

  it(`rejects ${RUNNER_LIMITS.tagsMax + 1} tags`, () => {
    expect(rejected(RunnerTags, manyTags(RUNNER_LIMITS.tagsMax + 1))).toEqual([
      { path: [], message: TAGS_TOO_MANY },
    ]);
  });

  it.each([
    ['1 character', 'a'],
    [`${RUNNER_LIMITS.tagMaxLength} characters`, 'a'.repeat(RUNNER_LIMITS.tagMaxLength)],
    [`${RUNNER_LIMITS.tagMaxLength} emoji`, EMOJI.repeat(RUNNER_LIMITS.tagMaxLength)],
  ])('accepts a tag of %s', (_, tag) => {
    expect(accepted(RunnerTag, tag)).toBe(tag);
    expect(accepted(RunnerTags, [tag])).toEqual([tag]);
  });

  it.each([
    ['0 characters (empty)', ''],
    [`${RUNNER_LIMITS.tagMaxLength + 1} characters`, 'a'.repeat(RUNNER_LIMITS.tagMaxLength + 1)],
    [`${RUNNER_LIMITS.tagMaxLength + 1} emoji`, EMOJI.repeat(RUNNER_LIMITS.tagMaxLength + 1)],
  ])('rejects a tag of %s, naming its index', (_, tag) => {
    expect(rejected(RunnerTags, ['gpu', tag])).toEqual([{ path: [1], message: TAG_LENGTH }]);
  });

  it.each([
    ['NUL', 'gpu\u0000'],
    ['LF', 'gpu\n'],
    ['a lone surrogate', '\uD800'],
  ])('rejects a tag containing %s', (_, tag) => {
    expect(rejected(RunnerTags, [tag])).toEqual([{ path: [0], message: TEXT_CONTROL }]);
  });

  it('rejects a repeated tag', () => {
    expect(rejected(RunnerTags, ['gpu', 'a100', 'gpu'])).toEqual([
      { path: [], message: TAGS_REPEATED },
    ]);
  });

  it('treats tags differing only by case as distinct', () => {
    expect(accepted(RunnerTags, ['gpu', 'GPU'])).toEqual(['gpu', 'GPU']);
  });

  it.each([
    ['a string', 'gpu'],
    ['an object', { 0: 'gpu' }],
    ['null', null],
    ['a number', 1],
  ])('rejects %s as not an array', (_, value) => {
    expect(rejected(RunnerTags, value)).toEqual([{ path: [], message: TAGS_NOT_ARRAY }]);
  });

  it('rejects a non-string element, naming its index', () => {
    expect(rejected(RunnerTags, ['gpu', 7])).toEqual([{ path: [1], message: NOT_A_STRING }]);
  });
});

// ---------------------------------------------------------------------------
// headers
// ---------------------------------------------------------------------------

describe('RunnerHeaders', () => {
  describe('names', () => {
    it.each([
      'X-Api-Key',
      'Authorization',
      "!#$%&'*+-.^_`|~",
      'a',
      '0',
      'x_custom.header',
      'h'.repeat(RUNNER_LIMITS.headerNameMaxLength),
    ])('accepts the token %j', (name) => {
      expect(accepted(RunnerHeaders, { [name]: 'v' })).toEqual({ [name]: 'v' });
    });

    it.each([
      ['a space', 'X Api Key'],
      ['a colon', 'X-Key:'],
      ['a parenthesis', 'X(Key'],
      ['a slash', 'a/b'],
      ['a double quote', '"X"'],
      ['a brace', '{x}'],
      ['a CR LF', 'X-Key\r\n'],
      ['a non-ASCII letter', 'X-Schlüssel'],
      ['Cyrillic only', 'Ключ'],
      ['an emoji', `X-${EMOJI}`],
    ])("rejects a name with %s, with the key's own message at ['<name>']", (_, name) => {
      expect(rejected(RunnerHeaders, { [name]: 'v' })).toEqual([
        { path: [name], message: HEADER_NAME },
      ]);
    });

    it('rejects an empty name', () => {
      expect(rejected(RunnerHeaders, { '': 'v' })).toEqual([{ path: [''], message: HEADER_NAME }]);
    });

    it(`rejects a name of ${RUNNER_LIMITS.headerNameMaxLength + 1} characters`, () => {
      const name = 'h'.repeat(RUNNER_LIMITS.headerNameMaxLength + 1);
      expect(rejected(RunnerHeaders, { [name]: 'v' })).toEqual([
        { path: [name], message: HEADER_NAME },
      ]);
    });

    // Zod's record skips an own `__proto__` key silently; the contract refuses it before that.
    it('rejects an own "__proto__" header name as reserved', () => {
      const headers = JSON.parse('{"__proto__":"x"}') as unknown;
      expect(Object.hasOwn(headers as object, '__proto__')).toBe(true);
      expect(rejected(RunnerHeaders, headers)).toEqual([
        { path: ['__proto__'], message: HEADER_RESERVED },
      ]);
    });

    it('never turns an own "__proto__" header into the prototype of the parsed object', () => {
      const headers = JSON.parse('{"__proto__":{"polluted":"yes"},"X-Key":"v"}') as unknown;
      const result = RunnerHeaders.safeParse(headers);
      if (result.success) {
        expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype);
        expect(Object.hasOwn(result.data, '__proto__')).toBe(false);
        expect((result.data as Record<string, unknown>).polluted).toBeUndefined();
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('rejects names that differ only by case', () => {
      expect(rejected(RunnerHeaders, { 'X-Key': 'a', 'x-key': 'b' })).toEqual([
        { path: [], message: HEADERS_REPEATED },
      ]);
    });

    it('rejects case-variants of a header among others', () => {
      expect(
        rejected(RunnerHeaders, { Authorization: 'a', 'X-Other': 'b', AUTHORIZATION: 'c' }),
      ).toEqual([{ path: [], message: HEADERS_REPEATED }]);
    });
  });

  describe('values', () => {
    it.each([
      ['a bearer token', 'Bearer comfy-secret'],
      ['a TAB', 'a\tb'],
      ['an empty value', ''],
      ['visible ASCII', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
      ['Latin-1 text', 'caf\u00e9'],
      [
        `${RUNNER_LIMITS.headerValueMaxLength} characters`,
        'v'.repeat(RUNNER_LIMITS.headerValueMaxLength),
      ],
    ])('accepts a value with %s', (_, value) => {
      expect(accepted(RunnerHeaders, { 'X-Key': value })).toEqual({ 'X-Key': value });
    });

    it(`rejects a value of ${RUNNER_LIMITS.headerValueMaxLength + 1} characters, at ['X-Key']`, () => {
      const value = 'v'.repeat(RUNNER_LIMITS.headerValueMaxLength + 1);
      expect(rejected(RunnerHeaders, { 'X-Key': value })).toEqual([
        { path: ['X-Key'], message: HEADER_VALUE_LENGTH },
      ]);
    });

    it.each([
      ['CR', 'a\rb'],
      ['LF', 'a\nb'],
      ['CR LF (header injection)', 'v\r\nX-Injected: 1'],
      ['NUL', 'a\u0000b'],
      ['SOH (U+0001)', '\u0001'],
      ['BS (U+0008)', '\u0008'],
      ['VT (U+000B)', '\u000b'],
      ['ESC (U+001B)', '\u001b'],
      ['US (U+001F)', '\u001f'],
      ['DEL (U+007F)', '\u007f'],
      ['a lone surrogate', 'a\uD800'],
    ])("rejects a value containing %s, at ['X-Key']", (_, value) => {
      expect(rejected(RunnerHeaders, { 'X-Key': value })).toEqual([
        { path: ['X-Key'], message: HEADER_VALUE_CONTROL },
      ]);
    });

    it.each([
      ['a number', 1],
      ['null', null],
      ['an array', ['v']],
    ])("rejects %s as a value, at ['X-Key']", (_, value) => {
      expect(rejected(RunnerHeaders, { 'X-Key': value })).toEqual([
        { path: ['X-Key'], message: NOT_A_STRING },
      ]);
    });
  });

  describe('count and shape', () => {
    it.each([0, 1, RUNNER_LIMITS.headersMax])('accepts %i headers', (count) => {
      const headers = manyHeaders(count);
      expect(accepted(RunnerHeaders, headers)).toEqual(headers);
    });

    it(`rejects ${RUNNER_LIMITS.headersMax + 1} headers`, () => {
      expect(rejected(RunnerHeaders, manyHeaders(RUNNER_LIMITS.headersMax + 1))).toEqual([
        { path: [], message: HEADERS_TOO_MANY },
      ]);
    });

    it.each([
      ['a string', 'Authorization: x'],
      ['an array', [['X-Key', 'v']]],
      ['null', null],
      ['a number', 1],
    ])('rejects %s as not an object', (_, value) => {
      expect(rejected(RunnerHeaders, value)).toEqual([{ path: [], message: HEADERS_NOT_OBJECT }]);
    });
  });
});

// ---------------------------------------------------------------------------
// id
// ---------------------------------------------------------------------------

describe('RunnerId', () => {
  it.each([
    UUID,
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'F47AC10B-58CC-4372-A567-0E02B2C3D479',
    '01890a5d-ac96-774b-bcce-b302099a8057',
    '12345678-1234-1234-1234-123456789abc',
  ])('accepts the UUID %s', (id) => {
    expect(accepted(RunnerId, id)).toBe(id);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'not-a-uuid'],
    ['a UUID without dashes', '5f0c3a2e8d1b4f6e9a7c2b4d6e8f0a1c'],
    ['a UUID in braces', `{${UUID}}`],
    ['a URN', `urn:uuid:${UUID}`],
    ['a UUID with a trailing space', `${UUID} `],
    ['a non-hex digit', 'gf0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1c'],
    ['a short last group', '5f0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1'],
    ['a long last group', `${UUID}0`],
    ['misplaced dashes', '5f0c3a2e8-d1b-4f6e-9a7c-2b4d6e8f0a1c'],
    ['a number', 42],
    ['null', null],
  ])('rejects %s', (_, id) => {
    expect(rejected(RunnerId, id)).toEqual([{ path: [], message: UUID_MESSAGE }]);
  });
});

describe('RunnerIdInput', () => {
  it('accepts {id}', () => {
    expect(accepted(RunnerIdInput, { id: UUID })).toEqual({ id: UUID });
  });

  it("rejects a missing id at ['id']", () => {
    expect(rejected(RunnerIdInput, {})).toEqual([{ path: ['id'], message: UUID_MESSAGE }]);
  });

  it('rejects unknown keys', () => {
    const issues = rejected(RunnerIdInput, { id: UUID, name: 'x' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual([]);
    expect(issues[0]?.message).toContain('name');
  });
});

// ---------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------

describe('RunnerCreateInput', () => {
  it('accepts name and endpoint alone', () => {
    const input = { name: 'gpu-box-1', endpoint: ENDPOINT };
    expect(accepted(RunnerCreateInput, input)).toEqual(input);
  });

  it('accepts optional headers and tags', () => {
    const input = {
      name: 'gpu-box-1',
      endpoint: 'https://my-comfy.example.com',
      headers: { Authorization: 'Bearer comfy-secret' },
      tags: ['gpu', 'a100'],
    };
    expect(accepted(RunnerCreateInput, input)).toEqual(input);
  });

  it("requires a name, at ['name']", () => {
    expect(rejected(RunnerCreateInput, { endpoint: ENDPOINT })).toEqual([
      { path: ['name'], message: NOT_A_STRING },
    ]);
  });

  it("requires an endpoint, at ['endpoint']", () => {
    expect(rejected(RunnerCreateInput, { name: 'gpu-box-1' })).toEqual([
      { path: ['endpoint'], message: NOT_A_STRING },
    ]);
  });

  it.each([
    ['status', 'active'],
    ['id', UUID],
    ['user_id', UUID],
    ['created_at', '2024-01-01T00:00:00Z'],
    ['extra', 1],
  ])('rejects the unknown key %s', (key, value) => {
    const issues = rejected(RunnerCreateInput, {
      name: 'gpu-box-1',
      endpoint: ENDPOINT,
      [key]: value,
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual([]);
    expect(issues[0]?.message).toContain(`"${key}"`);
  });

  it.each([['headers'], ['tags']])('rejects null %s (optional is not nullable)', (key) => {
    expect(
      rejected(RunnerCreateInput, { name: 'gpu-box-1', endpoint: ENDPOINT, [key]: null }),
    ).toEqual([{ path: [key], message: key === 'tags' ? TAGS_NOT_ARRAY : HEADERS_NOT_OBJECT }]);
  });

  it.each([
    ['a string', 'gpu'],
    ['null', null],
    ['an array', []],
  ])('rejects %s as input', (_, value) => {
    expect(RunnerCreateInput.safeParse(value).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// update
// ---------------------------------------------------------------------------

describe('RunnerUpdateInput', () => {
  it('accepts {id} alone', () => {
    expect(accepted(RunnerUpdateInput, { id: UUID })).toEqual({ id: UUID });
  });

  it.each([
    ['name', 'renamed'],
    ['endpoint', 'https://my-comfy.example.com'],
    ['headers', { 'X-Api-Key': 'k' }],
    ['headers', {}],
    ['tags', ['gpu']],
    ['tags', []],
    ['status', 'disabled'],
  ])('accepts %s alone with the id', (key, value) => {
    expect(accepted(RunnerUpdateInput, { id: UUID, [key]: value })).toEqual({
      id: UUID,
      [key]: value,
    });
  });

  it('accepts every field at once', () => {
    const input = {
      id: UUID,
      name: 'renamed',
      endpoint: ENDPOINT,
      headers: { 'X-Api-Key': 'k' },
      tags: ['gpu'],
      status: 'active',
    };
    expect(accepted(RunnerUpdateInput, input)).toEqual(input);
  });

  it("requires an id, at ['id']", () => {
    expect(rejected(RunnerUpdateInput, { name: 'renamed' })).toEqual([
      { path: ['id'], message: UUID_MESSAGE },
    ]);
  });

  it("rejects an id that is not a UUID, at ['id']", () => {
    expect(rejected(RunnerUpdateInput, { id: '42' })).toEqual([
      { path: ['id'], message: UUID_MESSAGE },
    ]);
  });

  it.each([
    ['user_id', UUID],
    ['created_at', '2024-01-01T00:00:00Z'],
    ['updated_at', '2024-01-01T00:00:00Z'],
    ['nope', true],
  ])('rejects the read-only or unknown key %s', (key, value) => {
    const issues = rejected(RunnerUpdateInput, { id: UUID, [key]: value });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual([]);
    expect(issues[0]?.message).toContain(`"${key}"`);
  });

  it.each([
    ['name', NOT_A_STRING],
    ['endpoint', NOT_A_STRING],
    ['headers', HEADERS_NOT_OBJECT],
    ['tags', TAGS_NOT_ARRAY],
    ['status', STATUS],
  ])('rejects %s: null (fields are optional, not nullable)', (key, message) => {
    expect(rejected(RunnerUpdateInput, { id: UUID, [key]: null })).toEqual([
      { path: [key], message },
    ]);
  });

  it('rejects id: null', () => {
    expect(rejected(RunnerUpdateInput, { id: null })).toEqual([
      { path: ['id'], message: UUID_MESSAGE },
    ]);
  });

  it.each([
    ['name', '', NAME_LENGTH],
    ['endpoint', 'ftp://x', ENDPOINT_SCHEME],
    ['status', 'paused', STATUS],
    ['tags', manyTags(RUNNER_LIMITS.tagsMax + 1), TAGS_TOO_MANY],
    ['headers', manyHeaders(RUNNER_LIMITS.headersMax + 1), HEADERS_TOO_MANY],
  ])('applies the %s rules, reporting at [%j]', (key, value, message) => {
    expect(rejected(RunnerUpdateInput, { id: UUID, [key]: value })).toEqual([
      { path: [key], message },
    ]);
  });
});

// ---------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------

describe('RunnerListInput', () => {
  it(`defaults page to 1 and per_page to ${RUNNER_LIMITS.perPageDefault}`, () => {
    expect(accepted(RunnerListInput, {})).toEqual({
      page: 1,
      per_page: RUNNER_LIMITS.perPageDefault,
    });
  });

  it('keeps explicit numbers', () => {
    expect(accepted(RunnerListInput, { page: 3, per_page: 25 })).toEqual({ page: 3, per_page: 25 });
  });

  it.each([1, 2, 1_000_000])('accepts page %i', (page) => {
    expect(accepted(RunnerListInput, { page })).toMatchObject({ page });
  });

  it.each([1, 50, RUNNER_LIMITS.perPageMax])('accepts per_page %i', (perPage) => {
    expect(accepted(RunnerListInput, { per_page: perPage })).toMatchObject({ per_page: perPage });
  });

  it.each([
    [0, PAGE],
    [-1, PAGE],
    [1.5, PAGE],
    [Number.NaN, PAGE],
    [Number.POSITIVE_INFINITY, PAGE],
    [1_000_001, 'must be at most 1000000'],
  ])("rejects page %s at ['page']", (page, message) => {
    expect(rejected(RunnerListInput, { page })).toEqual([{ path: ['page'], message }]);
  });

  it.each([0, -1, RUNNER_LIMITS.perPageMax + 1, 2.5, Number.NaN])(
    "rejects per_page %s at ['per_page']",
    (perPage) => {
      expect(rejected(RunnerListInput, { per_page: perPage })).toEqual([
        { path: ['per_page'], message: PER_PAGE },
      ]);
    },
  );

  describe('query-string forms', () => {
    it("turns page '2' into 2", () => {
      expect(accepted(RunnerListInput, { page: '2' })).toEqual({ page: 2, per_page: 10 });
    });

    it("turns per_page '50' into 50", () => {
      expect(accepted(RunnerListInput, { per_page: '50' })).toEqual({ page: 1, per_page: 50 });
    });

    it(`accepts per_page '${RUNNER_LIMITS.perPageMax}' and rejects '${RUNNER_LIMITS.perPageMax + 1}'`, () => {
      expect(
        accepted(RunnerListInput, { per_page: String(RUNNER_LIMITS.perPageMax) }),
      ).toMatchObject({
        per_page: RUNNER_LIMITS.perPageMax,
      });
      expect(rejected(RunnerListInput, { per_page: String(RUNNER_LIMITS.perPageMax + 1) })).toEqual(
        [{ path: ['per_page'], message: PER_PAGE }],
      );
    });

    it("turns tags 'a,b' into ['a', 'b']", () => {
      expect(accepted(RunnerListInput, { tags: 'a,b' })).toEqual({
        page: 1,
        per_page: 10,
        tags: ['a', 'b'],
      });
    });

    it("turns a single tag 'gpu' into ['gpu']", () => {
      expect(accepted(RunnerListInput, { tags: 'gpu' })).toMatchObject({ tags: ['gpu'] });
    });

    it('turns an empty tags string into []', () => {
      expect(accepted(RunnerListInput, { tags: '' })).toMatchObject({ tags: [] });
    });

    it('keeps a tags array as is', () => {
      expect(accepted(RunnerListInput, { tags: ['a', 'b'] })).toMatchObject({ tags: ['a', 'b'] });
    });

    it("rejects an empty tag in 'a,,b' at ['tags', 1]", () => {
      expect(rejected(RunnerListInput, { tags: 'a,,b' })).toEqual([
        { path: ['tags', 1], message: TAG_LENGTH },
      ]);
    });

    it("rejects a repeated tag in 'a,a'", () => {
      expect(rejected(RunnerListInput, { tags: 'a,a' })).toEqual([
        { path: ['tags'], message: TAGS_REPEATED },
      ]);
    });

    it(`rejects more than ${RUNNER_LIMITS.tagsMax} comma-separated tags`, () => {
      expect(
        rejected(RunnerListInput, { tags: manyTags(RUNNER_LIMITS.tagsMax + 1).join(',') }),
      ).toEqual([{ path: ['tags'], message: TAGS_TOO_MANY }]);
    });

    it.each([['1e3'], [' 2'], ['2 '], ['-1'], ['+2'], ['1.0'], ['0x10'], [''], ['two'], ['0']])(
      "rejects page %j at ['page']",
      (page) => {
        expect(rejected(RunnerListInput, { page })).toEqual([{ path: ['page'], message: PAGE }]);
      },
    );

    it.each([['1e3'], [' 2'], ['-1'], ['0'], ['101'], ['']])(
      "rejects per_page %j at ['per_page']",
      (perPage) => {
        expect(rejected(RunnerListInput, { per_page: perPage })).toEqual([
          { path: ['per_page'], message: PER_PAGE },
        ]);
      },
    );
  });

  it.each([['active'], ['disabled']])('accepts the status filter %s', (status) => {
    expect(accepted(RunnerListInput, { status })).toMatchObject({ status });
  });

  it("rejects an unknown status filter at ['status']", () => {
    expect(rejected(RunnerListInput, { status: 'paused' })).toEqual([
      { path: ['status'], message: STATUS },
    ]);
  });

  it.each([
    ['null page', { page: null }, 'page'],
    ['null per_page', { per_page: null }, 'per_page'],
    ['a boolean page', { page: true }, 'page'],
    ['an array page', { page: [2] }, 'page'],
  ])('rejects %s', (_, input, key) => {
    const issues = rejected(RunnerListInput, input);
    expect(issues.map((issue) => issue.path)).toEqual([[key]]);
  });

  it('rejects unknown keys', () => {
    const issues = rejected(RunnerListInput, { q: 'gpu' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual([]);
    expect(issues[0]?.message).toContain('"q"');
  });
});

// ---------------------------------------------------------------------------
// Error paths and their flattening
// ---------------------------------------------------------------------------

describe('issue paths', () => {
  it('name every failing field of a request, down to the header name and tag index', () => {
    const issues = rejected(RunnerCreateInput, {
      name: '',
      endpoint: 'ftp://example.com',
      headers: { 'X-Key': 'a\nb', 'Bad Name': 'v' },
      tags: ['gpu', ''],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['name'], message: NAME_LENGTH },
        { path: ['endpoint'], message: ENDPOINT_SCHEME },
        { path: ['headers', 'X-Key'], message: HEADER_VALUE_CONTROL },
        { path: ['headers', 'Bad Name'], message: HEADER_NAME },
        { path: ['tags', 1], message: TAG_LENGTH },
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it("put a header-value problem at ['headers', '<name>']", () => {
    expect(rejected(RunnerUpdateInput, { id: UUID, headers: { 'X-Key': '\u0000' } })).toEqual([
      { path: ['headers', 'X-Key'], message: HEADER_VALUE_CONTROL },
    ]);
  });

  it("put a tag problem at ['tags', <index>]", () => {
    expect(rejected(RunnerUpdateInput, { id: UUID, tags: ['ok', 'x'.repeat(65)] })).toEqual([
      { path: ['tags', 1], message: TAG_LENGTH },
    ]);
  });

  it("put a whole-record problem at ['headers']", () => {
    expect(rejected(RunnerUpdateInput, { id: UUID, headers: { a: '1', A: '2' } })).toEqual([
      { path: ['headers'], message: HEADERS_REPEATED },
    ]);
  });
});

describe('toInputIssues', () => {
  it("replaces zod's generic invalid_key message with the key's own message", () => {
    const result = RunnerHeaders.safeParse({ 'X Key': 'v' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues[0]).toMatchObject({ code: 'invalid_key', path: ['X Key'] });
    expect(result.error.issues[0]?.message).not.toBe(HEADER_NAME);
    expect(toInputIssues(result.error.issues as Parameters<typeof toInputIssues>[0])).toEqual([
      { path: ['X Key'], message: HEADER_NAME },
    ]);
  });

  it('emits one issue per inner issue of an invalid_key, all at the key path', () => {
    expect(
      toInputIssues([
        {
          code: 'invalid_key',
          path: ['headers', 'k'],
          message: 'Invalid key in record',
          issues: [{ message: 'first' }, { message: 'second' }],
        },
      ]),
    ).toEqual([
      { path: ['headers', 'k'], message: 'first' },
      { path: ['headers', 'k'], message: 'second' },
    ]);
  });

  it('keeps the outer message of an invalid_key without inner issues', () => {
    expect(
      toInputIssues([{ code: 'invalid_key', path: ['k'], message: 'Invalid key', issues: [] }]),
    ).toEqual([{ path: ['k'], message: 'Invalid key' }]);
  });

  it('passes other issues through, keeping number segments as numbers', () => {
    expect(
      toInputIssues([
        { code: 'custom', path: ['tags', 1], message: 'too long' },
        { code: 'too_big', path: [], message: 'too many' },
      ]),
    ).toEqual([
      { path: ['tags', 1], message: 'too long' },
      { path: [], message: 'too many' },
    ]);
  });

  it('unwraps Standard Schema {key} path segments and stringifies symbols', () => {
    expect(
      toInputIssues([{ path: [{ key: 'headers' }, { key: 0 }, Symbol.for('s')], message: 'm' }]),
    ).toEqual([{ path: ['headers', 0, 'Symbol(s)'], message: 'm' }]);
  });

  it('gives an issue without a path an empty path', () => {
    expect(toInputIssues([{ message: 'm' }])).toEqual([{ path: [], message: 'm' }]);
  });

  it('returns [] for no issues', () => {
    expect(toInputIssues([])).toEqual([]);
  });
});

describe('describeInputIssues', () => {
  it('joins issues as "path: message; ..." with dotted paths', () => {
    expect(
      describeInputIssues([
        { path: ['name'], message: NAME_LENGTH },
        { path: ['tags', 1], message: TAG_LENGTH },
        { path: ['headers', 'X-Key'], message: HEADER_VALUE_CONTROL },
      ]),
    ).toBe(`name: ${NAME_LENGTH}; tags.1: ${TAG_LENGTH}; headers.X-Key: ${HEADER_VALUE_CONTROL}`);
  });

  it('gives a pathless issue its message alone', () => {
    expect(describeInputIssues([{ path: [], message: 'Unrecognized key' }])).toBe(
      'Unrecognized key',
    );
  });

  it('says "Invalid input" when there are no issues', () => {
    expect(describeInputIssues([])).toBe('Invalid input');
  });

  it('describes a real validation failure end to end', () => {
    const issues = rejected(RunnerUpdateInput, { id: UUID, name: '', headers: { 'a b': 'v' } });
    expect(describeInputIssues(issues)).toBe(`name: ${NAME_LENGTH}; headers.a b: ${HEADER_NAME}`);
  });
});

describe('values that fetch could not send and URLs the parser would forgive', () => {
  it('accepts a Latin-1 header value and a tab', () => {
    expect(RunnerHeaders.safeParse({ 'X-City': 'Zürich\tcafé' }).success).toBe(true);
  });

  it.each([
    ['a euro sign (outside Latin-1)', '10 €'],
    ['an emoji', 'key-🦊'],
    ['NEL (U+0085, a C1 control)', 'a\u0085b'],
  ])("rejects a header value with %s, at ['X-Key']", (_, value) => {
    expect(rejected(RunnerHeaders, { 'X-Key': value })).toEqual([
      { path: ['X-Key'], message: HEADER_VALUE_CONTROL },
    ]);
  });

  it.each([
    'http:example.com',
    'http:///example.com',
    'http://@example.com',
    'https:\\\\example.com',
  ])('rejects the loose URL form %s', (endpoint) => {
    expect(rejected(RunnerEndpoint, endpoint)).toEqual([{ path: [], message: ENDPOINT_ABSOLUTE }]);
  });
});
