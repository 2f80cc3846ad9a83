import { z } from 'zod';

/** Every documented limit of the runner API, in one place. */
export const RUNNER_LIMITS = Object.freeze({
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

export const RUNNER_STATUSES = ['active', 'disabled'] as const;

// RFC 9110 §5.1: a field name is a token of tchar.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: a value is visible ASCII, SP, HTAB or obs-text (bytes 0x80–0xFF, sent as
// Latin-1). That excludes CR, LF, NUL and every other control, and characters that fetch cannot send.
const HEADER_VALUE = /^[\t\x20-\x7e\xa0-\xff]*$/;
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Length in Unicode code points, as JSON Schema's minLength/maxLength count it. */
const codePoints = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/**
 * A line of text: `min`..`max` code points, well-formed Unicode, no control characters.
 * Postgres text cannot hold NUL and lone surrogates would be silently replaced, so both are refused here.
 */
const textLine = (min: number, max: number) =>
  z
    .string({ error: 'must be a string' })
    .check((ctx) => {
      const value = ctx.value;
      const length = codePoints(value);
      if (length < min || length > max) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: `must be ${min} to ${max} characters long`,
        });
      } else if (!value.isWellFormed() || CONTROL_CHARACTER.test(value)) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: 'must not contain control characters or invalid Unicode',
        });
      }
    })
    .meta({ minLength: min, maxLength: max });

export const RunnerId = z
  .guid({ error: 'must be a UUID' })
  .meta({ description: 'Runner id (UUID)', example: '5f0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1c' });

export const RunnerName = textLine(1, RUNNER_LIMITS.nameMaxLength).meta({
  description: 'Display name, 1 to 100 characters',
  example: 'gpu-box-1',
});

export const RunnerEndpoint = z
  .string({ error: 'must be a string' })
  .check((ctx) => {
    const message = endpointProblem(ctx.value);
    if (message) ctx.issues.push({ code: 'custom', input: ctx.value, message });
  })
  .meta({
    format: 'uri',
    maxLength: RUNNER_LIMITS.endpointMaxLength,
    description:
      'Absolute http:// or https:// URL of the ComfyUI instance; loopback and private addresses are allowed',
    example: 'https://my-comfy.example.com',
  });

function endpointProblem(value: string): string | undefined {
  if (codePoints(value) > RUNNER_LIMITS.endpointMaxLength) {
    return `must be at most ${RUNNER_LIMITS.endpointMaxLength} characters long`;
  }
  if (value.trim() !== value || CONTROL_CHARACTER.test(value)) {
    return 'must not contain surrounding whitespace or control characters';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'must use http:// or https://';
  }
  // The URL parser forgives "http:host", "http:///host" and "http://@host"; a stored endpoint
  // should read as what it is.
  if (!/^https?:\/\/[^/?#@\\]/i.test(value)) {
    return 'must be an absolute http:// or https:// URL';
  }
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) {
    return 'must not embed credentials; send them as headers instead';
  }
  return undefined;
}

export const RunnerStatus = z
  .enum(RUNNER_STATUSES, { error: 'must be "active" or "disabled"' })
  .meta({ description: '`disabled` takes a runner out of scheduling' });

export const RunnerTag = textLine(1, RUNNER_LIMITS.tagMaxLength);

export const RunnerTags = z
  .array(RunnerTag, { error: 'must be an array of strings' })
  .max(RUNNER_LIMITS.tagsMax, { error: `must hold at most ${RUNNER_LIMITS.tagsMax} tags` })
  .refine((tags) => new Set(tags).size === tags.length, { error: 'must not repeat a tag' })
  .meta({
    description: `At most ${RUNNER_LIMITS.tagsMax} distinct tags of 1 to ${RUNNER_LIMITS.tagMaxLength} characters; replaced as a whole on update`,
    example: ['gpu', 'a100'],
  });

const HeaderName = z
  .string()
  .check((ctx) => {
    const name = ctx.value;
    if (name.length > RUNNER_LIMITS.headerNameMaxLength || !HEADER_NAME.test(name)) {
      ctx.issues.push({
        code: 'custom',
        input: name,
        message: `header name must be an HTTP token of 1 to ${RUNNER_LIMITS.headerNameMaxLength} characters`,
      });
    }
  })
  .meta({ pattern: HEADER_NAME.source, maxLength: RUNNER_LIMITS.headerNameMaxLength });

const HeaderValue = z
  .string({ error: 'must be a string' })
  .check((ctx) => {
    const value = ctx.value;
    if (value.length > RUNNER_LIMITS.headerValueMaxLength) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `must be at most ${RUNNER_LIMITS.headerValueMaxLength} characters long`,
      });
    } else if (!HEADER_VALUE.test(value)) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message:
          'must hold only printable ASCII or Latin-1 characters, spaces and tabs (no CR, LF, NUL or other control characters)',
      });
    }
  })
  .meta({ maxLength: RUNNER_LIMITS.headerValueMaxLength });

// Zod's record skips an own "__proto__" key without a word; a header the caller sent must
// not vanish, so it is refused before the record sees it.
const refuseProtoKey = (value: Record<string, string>, ctx: z.RefinementCtx): unknown => {
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
    ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'header name is reserved' });
  }
  return value;
};

export const RunnerHeaders = z.preprocess(
  refuseProtoKey,
  z
    .record(HeaderName, HeaderValue, {
      error: (issue) =>
        issue.code === 'invalid_type' ? 'must be an object of strings' : undefined,
    })
    .check((ctx) => {
      const names = Object.keys(ctx.value);
      if (names.length > RUNNER_LIMITS.headersMax) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `must hold at most ${RUNNER_LIMITS.headersMax} headers`,
        });
      }
      const lower = new Set(names.map((name) => name.toLowerCase()));
      if (lower.size !== names.length) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: 'must not repeat a header name (names ignore case)',
        });
      }
    })
    .meta({
      maxProperties: RUNNER_LIMITS.headersMax,
      description: `Sent with every request to the runner. At most ${RUNNER_LIMITS.headersMax} headers; names are HTTP tokens of at most ${RUNNER_LIMITS.headerNameMaxLength} characters, unique ignoring case; values at most ${RUNNER_LIMITS.headerValueMaxLength} characters of printable ASCII or Latin-1 characters, spaces and tabs. Replaced as a whole on update.`,
      example: { Authorization: 'Bearer comfy-secret' },
    }),
);

const Timestamp = z.iso.datetime({ error: 'must be an ISO 8601 timestamp' });

/** A runner as every face of the API returns it. */
export const Runner = z
  .object({
    id: RunnerId,
    user_id: z.guid(),
    name: RunnerName,
    status: RunnerStatus,
    endpoint: RunnerEndpoint,
    tags: RunnerTags,
    headers: RunnerHeaders,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Runner' });
export type Runner = z.infer<typeof Runner>;

export const RunnerCreateInput = z.strictObject({
  name: RunnerName,
  endpoint: RunnerEndpoint,
  headers: RunnerHeaders.optional(),
  tags: RunnerTags.optional(),
});
export type RunnerCreateInput = z.input<typeof RunnerCreateInput>;

export const RunnerIdInput = z.strictObject({ id: RunnerId });
export type RunnerIdInput = z.input<typeof RunnerIdInput>;

/** Every field but `id` is optional: omitted fields keep their values, `{id}` alone is a no-op. */
export const RunnerUpdateInput = z.strictObject({
  id: RunnerId,
  name: RunnerName.optional(),
  endpoint: RunnerEndpoint.optional(),
  headers: RunnerHeaders.optional(),
  tags: RunnerTags.optional(),
  status: RunnerStatus.optional(),
  expected_updated_at: Timestamp.optional().meta({
    description:
      'Optimistic concurrency: the `updated_at` the caller last saw. If the runner has changed since, nothing is written and the answer is 409 CONFLICT (over REST, `If-Match` with the ETag does the same with 412).',
  }),
});
export type RunnerUpdateInput = z.input<typeof RunnerUpdateInput>;
export type RunnerChanges = Omit<z.output<typeof RunnerUpdateInput>, 'id' | 'expected_updated_at'>;

// Typed callers send numbers and arrays; a REST query string carries them as text, so the
// preprocessors below also take digits ("1e3" and " 2" stay errors) and comma-separated lists.
const digitsToNumber = (value: number): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
const splitList = (value: string[]): unknown =>
  typeof value === 'string' ? (value === '' ? [] : (value as string).split(',')) : value;

export const RunnerListInput = z.strictObject({
  page: z
    .preprocess(
      digitsToNumber,
      z
        .number({ error: 'must be an integer of at least 1' })
        .int({ error: 'must be an integer of at least 1' })
        .min(1, { error: 'must be an integer of at least 1' })
        .max(1_000_000, { error: 'must be at most 1000000' }),
    )
    .optional()
    .default(1),
  per_page: z
    .preprocess(
      digitsToNumber,
      z
        .number({ error: `must be an integer from 1 to ${RUNNER_LIMITS.perPageMax}` })
        .int({ error: `must be an integer from 1 to ${RUNNER_LIMITS.perPageMax}` })
        .min(1, { error: `must be an integer from 1 to ${RUNNER_LIMITS.perPageMax}` })
        .max(RUNNER_LIMITS.perPageMax, {
          error: `must be an integer from 1 to ${RUNNER_LIMITS.perPageMax}`,
        }),
    )
    .optional()
    .default(RUNNER_LIMITS.perPageDefault),
  status: RunnerStatus.optional(),
  tags: z
    .preprocess(splitList, RunnerTags)
    .optional()
    .meta({ description: 'Only runners that carry every one of these tags' }),
});
export type RunnerListInput = z.input<typeof RunnerListInput>;
/** A list request after defaults: page and per_page always set. */
export type RunnerListQuery = z.output<typeof RunnerListInput>;

export const RunnerPage = z
  .object({
    runners: z.array(Runner),
    total: z.number().int().min(0).meta({ description: 'Number of matching runners on all pages' }),
  })
  .meta({ id: 'RunnerPage' });
export type RunnerPage = z.infer<typeof RunnerPage>;
