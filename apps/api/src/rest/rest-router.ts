import type { ApiError } from '@runner-registry/contract';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { errorBody } from '../http/errors';
import { MAX_BODY_BYTES } from '../http/limits';
import { procedureFailureLogger } from '../log/procedure-failure';
import { appRouter } from '../router';
import { type Context, createCallerFactory, describeError, type Services } from '../trpc';
import { type RestRoute, restRoutes } from './routes';

const createCaller = createCallerFactory(appRouter);
type Caller = ReturnType<typeof createCaller>;
type Invoke = (caller: Caller, input: unknown) => Promise<unknown>;

// Each route calls its procedure through a server-side caller: the same middleware (auth,
// availability), the same validation and the same handler as the tRPC face.
const INVOKE: Record<RestRoute['procedure'], Invoke> = {
  'runner.create': (caller, input) => caller.runner.create(input as never),
  'runner.get': (caller, input) => caller.runner.get(input as never),
  'runner.list': (caller, input) => caller.runner.list(input as never),
  'runner.update': (caller, input) => caller.runner.update(input as never),
  'runner.delete': (caller, input) => caller.runner.delete(input as never),
  'runner.select': (caller, input) => caller.runner.select(input as never),
  'runner.check': (caller, input) => caller.runner.check(input as never),
  'runner.interrupt': (caller, input) => caller.runner.interrupt(input as never),
  'runner.events': (caller, input) => caller.runner.events(input as never),
};

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

const jsonParser = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });

/** A body is JSON or absent; anything else is 415 before it is read. */
const readJsonBody: RequestHandler = (req, res, next) => {
  const length = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) {
    req.body = undefined;
    next();
    return;
  }
  const type = req.headers['content-type'];
  if (!type || !JSON_MEDIA_TYPE.test(type)) {
    sendError(res, errorBody(415, 'Content-Type must be application/json'));
    return;
  }
  jsonParser(req, res, next);
};

function sendError(res: Response, body: ApiError): void {
  res.status(body.status).json(body);
}

/** The procedure input: body fields and path parameters, or the query string. */
function procedureInput(route: RestRoute, req: Request): unknown {
  if (route.request.query) return { ...(req.query as Record<string, unknown>) };
  const body: unknown = req.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Request body must be a JSON object' });
  }
  const fields = { ...(body as Record<string, unknown> | undefined) };
  const id = req.params.id;
  if (id === undefined) return fields;
  if ('id' in fields && fields.id !== id) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'id in the body does not match the path' });
  }
  return { ...fields, id };
}

function toExpressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export interface RestOptions {
  readonly services: Services;
  readonly production: boolean;
}

/** The REST face: every route of the table, answering errors as `{status, message, code, issues?}`. */
export function createRestRouter({ services, production }: RestOptions): Router {
  const router = Router({ caseSensitive: true, strict: false });
  const logFailure = procedureFailureLogger(services.logger, production);

  for (const route of restRoutes) {
    const invoke = INVOKE[route.procedure];
    const handlers: RequestHandler[] = [];
    if (route.request.body) handlers.push(readJsonBody);
    handlers.push(async (req, res) => {
      const ctx: Context = { ...services, authorization: req.headers.authorization };
      try {
        const input = procedureInput(route, req);
        const output = await invoke(createCaller(ctx), withIfMatch(route, req, input)).catch(
          (cause: unknown) => {
            throw preconditionFailed(route, req, cause);
          },
        );
        if (route.etag && isRunner(output)) res.setHeader('ETag', etagOf(output));
        if (route.successStatus === 204) {
          res.status(204).end();
          return;
        }
        if (route.successStatus === 201 && isRunner(output)) {
          res.location(`${req.baseUrl}/runner/${output.id}`);
        }
        res.status(route.successStatus).json(output);
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        logFailure(error, route.procedure);
        sendError(res, describeError(error));
      }
    });
    router[route.method](toExpressPath(route.path.replace(/^\/v1/, '')), ...handlers);
  }

  // A known path with another method is 405 with the methods it has.
  const allowed = new Map<string, string[]>();
  for (const route of restRoutes) {
    const path = toExpressPath(route.path.replace(/^\/v1/, ''));
    allowed.set(path, [...(allowed.get(path) ?? []), route.method.toUpperCase()]);
  }
  for (const [path, methods] of allowed) {
    router.all(path, (_req, res) => {
      res.setHeader('Allow', methods.join(', '));
      sendError(res, errorBody(405, `Method not allowed; use ${methods.join(', ')}`));
    });
  }
  return router;
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
function withIfMatch(route: RestRoute, req: Request, input: unknown): unknown {
  const header = req.headers['if-match'];
  if (!route.ifMatch || header === undefined) return input;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return input;
  const expected = OUR_ETAG.exec(tags[0] ?? '')?.[1] ?? NO_MATCH;
  return { ...(input as object), expected_updated_at: expected };
}

/** Over REST, a failed If-Match is 412 (the tRPC face answers CONFLICT for expected_updated_at). */
function preconditionFailed(route: RestRoute, req: Request, cause: unknown): unknown {
  const error = getTRPCErrorFromUnknown(cause);
  if (!route.ifMatch || req.headers['if-match'] === undefined || error.code !== 'CONFLICT') {
    return cause;
  }
  return new TRPCError({
    code: 'PRECONDITION_FAILED',
    message: 'The runner has changed since the ETag in If-Match; GET it again and retry',
  });
}
