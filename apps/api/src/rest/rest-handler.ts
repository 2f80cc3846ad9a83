import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from '@runner-registry/contract';
import { type AnyProcedure, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { BodyTooLargeError, readBodyText } from '../http/body';
import { errorBody } from '../http/errors';
import { procedureFailureLogger } from '../log/procedure-failure';
import { runnerRouter } from '../runners/runner-router';
import {
  callProcedure,
  createContext,
  describeError,
  type FaceOptions,
  type ProcedureCall,
} from '../trpc';
import { type RestRoute, restRoutes } from './routes';

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** A route of the table, matched by method and by path segments (`{id}` matches one segment). */
interface CompiledRoute {
  readonly route: RestRoute;
  /**
   * The procedure it calls, as the tRPC face does: the same middleware (auth, availability),
   * the same validation and the same handler.
   */
  readonly procedure: AnyProcedure;
  readonly method: string;
  readonly segments: readonly string[];
}

const PREFIX = 'runner.';

const COMPILED: readonly CompiledRoute[] = restRoutes.map((route) => ({
  route,
  procedure: runnerRouter[route.procedure.slice(PREFIX.length) as keyof typeof runnerRouter],
  method: route.method.toUpperCase(),
  segments: route.path.split('/').slice(1),
}));

type PathMatch = { readonly params: Record<string, string> } | { readonly malformed: true };

function matchPath(segments: readonly string[], parts: readonly string[]): PathMatch | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    if (segment.startsWith('{')) {
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(part);
      } catch {
        return { malformed: true };
      }
    } else if (segment !== part) {
      return undefined;
    }
  }
  return { params };
}

class HttpError extends Error {
  constructor(readonly body: ApiError) {
    super(body.message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const sendError = (res: ServerResponse, error: ApiError, headers?: Record<string, string>) =>
  send(res, error.status, error, headers);

/** The body: absent, or JSON (with or without a charset, UTF-8 only) of at most 1 MiB. */
function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const length = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return Promise.resolve(undefined);
  const type = req.headers['content-type'];
  if (!type || !JSON_MEDIA_TYPE.test(type)) {
    return Promise.reject(new HttpError(errorBody(415, 'Content-Type must be application/json')));
  }
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    return Promise.reject(new HttpError(errorBody(415, `Unsupported charset "${charset}"`)));
  }
  return readBodyText(req).then(
    (text) => {
      try {
        return JSON.parse(text);
      } catch {
        throw new HttpError(errorBody(400, 'Request body is not valid JSON'));
      }
    },
    (error: unknown) => {
      throw error instanceof BodyTooLargeError
        ? new HttpError(errorBody(413, error.message))
        : error;
    },
  );
}

/** A query string as an object; a repeated key becomes an array. */
function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) {
    const current = query[key];
    query[key] =
      current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
  }
  return { ...query };
}

/** The procedure input: body fields and path parameters, or the query string. */
function procedureInput(
  route: RestRoute,
  params: Record<string, string>,
  search: string,
  body: unknown,
): unknown {
  if (route.request.query) return parseQuery(search);
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Request body must be a JSON object' });
  }
  const fields = { ...(body as Record<string, unknown> | undefined) };
  const id = params.id;
  if (id === undefined) return fields;
  if ('id' in fields && fields.id !== id) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'id in the body does not match the path' });
  }
  return { ...fields, id };
}

export type RestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The REST face under /v1: every route of the table, errors as `{status, message, code, issues?}`.
 * It runs on node:http directly rather than through express: on the hot paths express's request
 * decoration and body parsing cost more CPU than the procedure itself (docs/performance.md).
 * Answers false for a path outside /v1, which the express app then serves.
 */
export function createRestHandler({ services, production }: FaceOptions): RestHandler {
  const logFailure = procedureFailureLogger(services.logger, production);

  const run = async (
    req: IncomingMessage,
    res: ServerResponse,
    { route, procedure }: CompiledRoute,
    params: Record<string, string>,
    search: string,
  ) => {
    const ctx = createContext(services, req);
    try {
      const body = route.request.body ? await readJsonBody(req) : undefined;
      const input = procedureInput(route, params, search, body);
      const rawInput = withIfMatch(route, req, input);
      const output = await callProcedure(procedure, {
        ctx,
        path: route.procedure,
        type: procedure._def.type as ProcedureCall['type'],
        getRawInput: async () => rawInput,
        signal: undefined,
      }).catch((cause: unknown) => {
        throw preconditionFailed(route, req, cause);
      });
      const headers: Record<string, string> = {};
      if (route.etag && isRunner(output)) headers.etag = etagOf(output);
      if (route.successStatus === 204) {
        res.writeHead(204, headers);
        res.end();
        return;
      }
      if (route.successStatus === 201 && isRunner(output)) {
        headers.location = `/v1/runner/${output.id}`;
      }
      send(res, route.successStatus, output, headers);
    } catch (cause) {
      if (cause instanceof HttpError) {
        // Node discards whatever of the body is left unread before the next request.
        sendError(res, cause.body);
        return;
      }
      const error = getTRPCErrorFromUnknown(cause);
      logFailure(error, route.procedure);
      sendError(res, describeError(error));
    }
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    if (rawPath !== '/v1' && !rawPath.startsWith('/v1/')) return false;
    const search = queryAt === -1 ? '' : url.slice(queryAt + 1);
    // As express does: one trailing slash is ignored, and HEAD is answered like GET.
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    const parts = path.split('/').slice(1);
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');

    const allowed: string[] = [];
    for (const compiled of COMPILED) {
      const match = matchPath(compiled.segments, parts);
      if (!match) continue;
      if ('malformed' in match) {
        sendError(res, errorBody(400, 'The path is not valid percent-encoding'));
        return true;
      }
      if (compiled.method === method) {
        void run(req, res, compiled, match.params, search);
        return true;
      }
      allowed.push(compiled.method);
    }
    if (allowed.length > 0) {
      const list = allowed.join(', ');
      sendError(res, errorBody(405, `Method not allowed; use ${list}`), { allow: list });
    } else {
      sendError(res, errorBody(404, `No route for ${req.method} ${rawPath}`));
    }
    return true;
  };
}

function isRunner(value: unknown): value is { id: string; updated_at: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { updated_at?: unknown }).updated_at === 'string'
  );
}

/** A runner's ETag is its updated_at, which moves forward on every change. */
const etagOf = (runner: { updated_at: string }) => `"${runner.updated_at}"`;

// Never equal to a stored updated_at: an If-Match that is not one of our ETags cannot match.
const NO_MATCH = '1970-01-01T00:00:00.000Z';
const OUR_ETAG = /^"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"$/;

/**
 * `If-Match: "<updated_at>"` becomes the procedure's expected_updated_at, so the check happens in
 * the same statement as the update. `*` asks only that the runner exists. One ETag is compared.
 */
function withIfMatch(route: RestRoute, req: IncomingMessage, input: unknown): unknown {
  const header = req.headers['if-match'];
  if (!route.ifMatch || header === undefined) return input;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return input;
  const expected = OUR_ETAG.exec(tags[0] ?? '')?.[1] ?? NO_MATCH;
  return { ...(input as object), expected_updated_at: expected };
}

/** Over REST, a failed If-Match is 412 (the tRPC face answers CONFLICT for expected_updated_at). */
function preconditionFailed(route: RestRoute, req: IncomingMessage, cause: unknown): unknown {
  const error = getTRPCErrorFromUnknown(cause);
  if (!route.ifMatch || req.headers['if-match'] === undefined || error.code !== 'CONFLICT') {
    return cause;
  }
  return new TRPCError({
    code: 'PRECONDITION_FAILED',
    message: 'The runner has changed since the ETag in If-Match; GET it again and retry',
  });
}
