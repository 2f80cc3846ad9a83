/**
 * What a well-formed answer looks like on the wire, checked without trusting the server:
 * the status, the content type and the exact shape of error bodies, per face.
 */

export type Wire = 'rest' | 'trpc';

export interface Answer {
  readonly status: number;
  readonly text: string;
  /** The parsed body; undefined for an empty one. */
  readonly body: unknown;
}

const REST_ERROR_KEYS = new Set(['status', 'message', 'code', 'issues']);
const ERROR_CODE = /^[A-Z][A-Z_]+$/;
// What a stack trace or an internal detail looks like in a message.
const INTERNALS = /\n\s+at |\.ts:\d+|node_modules|SQLSTATE|syntax error at|relation "|pg_|PGlite/;

/**
 * Reads a response and throws, with the request named, unless it is well-formed: a 2xx with a
 * JSON body (or 204 with none), or a 4xx/5xx with the face's error shape and no internals.
 * 5xx are well-formed too here; callers decide whether they may happen.
 */
export async function readAnswer(response: Response, wire: Wire, request: string): Promise<Answer> {
  const text = await response.text();
  const { status } = response;
  const fail = (why: string): never => {
    throw new Error(`${request} → ${status}: ${why}\n${text.slice(0, 500)}`);
  };
  if (status === 204) {
    if (text !== '') fail('204 with a body');
    return { status, text, body: undefined };
  }
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) {
    fail(`content-type ${response.headers.get('content-type')}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    fail('body is not JSON (truncated?)');
  }
  if (status >= 200 && status < 300) {
    if (wire === 'trpc' && !isObject((body as { result?: unknown })?.result)) {
      fail('tRPC success without result');
    }
    return { status, text, body };
  }
  if (INTERNALS.test(text)) fail('error body leaks internals');
  // Node refuses an oversized head (431) before any route is chosen: the one shape it can
  // answer with is the plain HTTP error body, whichever face the URL named.
  const shape = status === 431 ? 'rest' : wire;
  const problem =
    shape === 'rest' ? restErrorProblem(body, status) : trpcErrorProblem(body, status);
  if (problem) fail(problem);
  return { status, text, body };
}

/** `{status, message, code, issues?}` with status equal to the HTTP status. */
function restErrorProblem(body: unknown, status: number): string | undefined {
  if (!isObject(body)) return 'REST error body is not an object';
  const extra = Object.keys(body).filter((key) => !REST_ERROR_KEYS.has(key));
  if (extra.length > 0) return `REST error body has extra keys ${extra.join(', ')}`;
  if (body.status !== status) return `body status ${String(body.status)}`;
  if (typeof body.message !== 'string' || body.message === '') return 'no message';
  if (typeof body.code !== 'string' || !ERROR_CODE.test(body.code)) return 'no code';
  if (body.issues !== undefined && !validIssues(body.issues)) return 'malformed issues';
  return undefined;
}

/** `{error: {message, code, data: {code, httpStatus}}}` with httpStatus equal to the HTTP status. */
function trpcErrorProblem(body: unknown, status: number): string | undefined {
  if (!isObject(body) || !isObject(body.error)) return 'tRPC error body without error';
  if (Object.keys(body).length !== 1) return 'tRPC error body has extra keys';
  const { message, code, data } = body.error;
  if (typeof message !== 'string' || message === '') return 'no message';
  if (typeof code !== 'number') return 'no JSON-RPC code';
  if (!isObject(data)) return 'no data';
  if (typeof data.code !== 'string' || !ERROR_CODE.test(data.code)) return 'no data.code';
  if (data.httpStatus !== status) return `data.httpStatus ${String(data.httpStatus)}`;
  if ('stack' in data) return 'stack in data';
  if (data.issues !== undefined && !validIssues(data.issues)) return 'malformed issues';
  return undefined;
}

function validIssues(issues: unknown): boolean {
  return (
    Array.isArray(issues) &&
    issues.every(
      (issue) =>
        isObject(issue) &&
        Array.isArray(issue.path) &&
        typeof issue.message === 'string' &&
        issue.message !== '',
    )
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
