import {
  type InputIssue,
  type Runner,
  RunnerCreateInput,
  RunnerTags,
  RunnerUpdateInput,
  toInputIssues,
} from '@runner-registry/contract';

/** One row of the headers editor; `key` only keeps React's rows stable. */
export interface HeaderRow {
  readonly key: number;
  readonly name: string;
  readonly value: string;
}

export interface FormValues {
  readonly name: string;
  readonly endpoint: string;
  readonly tags: readonly string[];
  readonly status: Runner['status'];
  readonly headers: readonly HeaderRow[];
}

/** Messages shown next to the fields; the header ones are keyed by row. */
export interface FieldErrors {
  name?: string;
  endpoint?: string;
  tags?: string;
  status?: string;
  headers?: string;
  headerName?: Record<number, string>;
  headerValue?: Record<number, string>;
  form?: string;
}

let nextRowKey = 1;
export const newHeaderRow = (name = '', value = ''): HeaderRow => ({
  key: nextRowKey++,
  name,
  value,
});

export function emptyForm(): FormValues {
  return { name: '', endpoint: '', tags: [], status: 'active', headers: [] };
}

export function formFromRunner(runner: Runner): FormValues {
  return {
    name: runner.name,
    endpoint: runner.endpoint,
    tags: [...runner.tags],
    status: runner.status,
    headers: Object.entries(runner.headers).map(([name, value]) => newHeaderRow(name, value)),
  };
}

/** Rows with neither a name nor a value are left out, like an untouched blank line. */
const filledRows = (rows: readonly HeaderRow[]) =>
  rows.filter((row) => row.name !== '' || row.value !== '');

export function headersObject(rows: readonly HeaderRow[]): Record<string, string> {
  return Object.fromEntries(filledRows(rows).map((row) => [row.name, row.value]));
}

// The contract's wording, for the one repetition it cannot see: two rows with the very same
// name collapse into one object key before validation.
const REPEATED_HEADER = 'must not repeat a header name (names ignore case)';

/** Maps contract issues (from the browser's own parse or from the server) onto the form. */
export function issuesToErrors(
  issues: readonly InputIssue[],
  rows: readonly HeaderRow[],
  nameIssueKeys: ReadonlySet<string> = new Set(),
): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const [field, key] = issue.path;
    if (field === 'headers' && typeof key === 'string') {
      const row = filledRows(rows).find((candidate) => candidate.name === key);
      const isName =
        nameIssueKeys.has(key) || key === '__proto__' || issue.message.startsWith('header name');
      if (!row) {
        errors.headers ??= issue.message;
      } else {
        const byRow = isName ? 'headerName' : 'headerValue';
        const messages = errors[byRow] ?? {};
        messages[row.key] ??= issue.message;
        errors[byRow] = messages;
      }
    } else if (
      field === 'name' ||
      field === 'endpoint' ||
      field === 'status' ||
      field === 'tags' ||
      field === 'headers'
    ) {
      errors[field] ??= issue.message;
    } else {
      errors.form ??= issue.path.length
        ? `${issue.path.join('.')}: ${issue.message}`
        : issue.message;
    }
  }
  return errors;
}

export const hasErrors = (errors: FieldErrors): boolean =>
  Object.values(errors).some((value) => value !== undefined);

type ParseResult =
  | { readonly success: true; readonly data: unknown }
  | {
      readonly success: false;
      readonly error: {
        readonly issues: readonly { code?: string; path: PropertyKey[]; message: string }[];
      };
    };

function errorsOf(result: ParseResult, rows: readonly HeaderRow[]): FieldErrors {
  if (result.success) return {};
  // A record key that fails is an `invalid_key` issue: its message belongs next to the name.
  const nameKeys = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code === 'invalid_key' && issue.path[0] === 'headers' && issue.path.length > 1) {
      nameKeys.add(String(issue.path[1]));
    }
  }
  return issuesToErrors(toInputIssues(result.error.issues), rows, nameKeys);
}

function repeatedRowNames(rows: readonly HeaderRow[]): FieldErrors {
  const seen = new Set<string>();
  const headerName: Record<number, string> = {};
  for (const row of filledRows(rows)) {
    if (seen.has(row.name)) headerName[row.key] = REPEATED_HEADER;
    seen.add(row.name);
  }
  return Object.keys(headerName).length > 0 ? { headerName } : {};
}

function merge(a: FieldErrors, b: FieldErrors): FieldErrors {
  return {
    ...b,
    ...a,
    ...((a.headerName || b.headerName) && { headerName: { ...b.headerName, ...a.headerName } }),
  };
}

export type CreateRequest = RunnerCreateInput;
export type UpdateRequest = RunnerUpdateInput;

/** Validates a new runner with the contract's RunnerCreateInput. */
export function validateCreate(
  values: FormValues,
): { ok: true; input: CreateRequest } | { ok: false; errors: FieldErrors } {
  const input: CreateRequest = {
    name: values.name,
    endpoint: values.endpoint,
    tags: [...values.tags],
    headers: headersObject(values.headers),
  };
  const errors = merge(
    errorsOf(RunnerCreateInput.safeParse(input), values.headers),
    repeatedRowNames(values.headers),
  );
  return hasErrors(errors) ? { ok: false, errors } : { ok: true, input };
}

const sameTags = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((tag, index) => tag === b[index]);

const sameHeaders = (a: Record<string, string>, b: Record<string, string>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
};

/**
 * Validates the whole form with the contract's RunnerUpdateInput, then keeps only the fields
 * that differ from the stored runner: `runner.update` leaves the others as they are.
 */
export function validateUpdate(
  runner: Runner,
  values: FormValues,
): { ok: true; input: UpdateRequest; changed: string[] } | { ok: false; errors: FieldErrors } {
  const headers = headersObject(values.headers);
  const full: UpdateRequest = {
    id: runner.id,
    name: values.name,
    endpoint: values.endpoint,
    tags: [...values.tags],
    headers,
    status: values.status,
  };
  const errors = merge(
    errorsOf(RunnerUpdateInput.safeParse(full), values.headers),
    repeatedRowNames(values.headers),
  );
  if (hasErrors(errors)) return { ok: false, errors };
  const input: UpdateRequest = { id: runner.id };
  if (values.name !== runner.name) input.name = values.name;
  if (values.endpoint !== runner.endpoint) input.endpoint = values.endpoint;
  if (values.status !== runner.status) input.status = values.status;
  if (!sameTags(values.tags, runner.tags)) input.tags = [...values.tags];
  if (!sameHeaders(headers, runner.headers)) input.headers = headers;
  return { ok: true, input, changed: Object.keys(input).filter((key) => key !== 'id') };
}

/** Checks a tag about to be added against the contract's RunnerTags; a message, or undefined. */
export function tagProblem(tags: readonly string[], draft: string): string | undefined {
  const result = RunnerTags.safeParse([...tags, draft]);
  if (result.success) return undefined;
  const [issue] = toInputIssues(result.error.issues);
  return issue?.message;
}
