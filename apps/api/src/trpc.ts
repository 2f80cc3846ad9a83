import {
  type ApiError,
  describeInputIssues,
  type InputIssue,
  toInputIssues,
} from '@runner-registry/contract';
import {
  type AnyProcedure,
  getTRPCErrorFromUnknown,
  initTRPC,
  type TRPC_ERROR_CODE_KEY,
  TRPCError,
} from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { TokenCache } from './auth/token-cache';
import { bearerToken, looksLikeToken } from './auth/tokens';
import { isDatabaseUnavailable } from './db/errors';
import type { RunnerHttp } from './runners/runner-http';
import type { RunnerRepository } from './runners/runner-repository';

// ---------------------------------------------------------------------------
// Context: who is calling, and the repositories a procedure may use.
// ---------------------------------------------------------------------------

export interface Services {
  readonly runners: RunnerRepository;
  /** Requests to runners themselves (health check, interrupt). */
  readonly runnerHttp: RunnerHttp;
  /** Verifies bearer tokens (through a short-lived cache). */
  readonly auth: TokenCache;
  readonly logger: Logger;
}

export interface Context extends Services {
  /** The raw Authorization header; verified only by procedures that need a user. */
  readonly authorization: string | undefined;
}

/** The context of one request, whichever face it came through. */
export const createContext = (
  services: Services,
  req: { readonly headers: { readonly authorization?: string | undefined } },
): Context => ({
  runners: services.runners,
  runnerHttp: services.runnerHttp,
  auth: services.auth,
  logger: services.logger,
  authorization: req.headers.authorization,
});

/** What each HTTP face is built from. */
export interface FaceOptions {
  readonly services: Services;
  /** In production, logs carry no error messages or stacks: only names and SQLSTATEs. */
  readonly production: boolean;
}

// ---------------------------------------------------------------------------
// Init: one error shape for every caller.
// ---------------------------------------------------------------------------

export interface ErrorData {
  readonly code: TRPC_ERROR_CODE_KEY;
  readonly httpStatus: number;
  readonly path?: string;
  /** With BAD_REQUEST from validation: each failing field and why. */
  readonly issues?: InputIssue[];
}

const GENERIC_MESSAGES: Partial<Record<TRPC_ERROR_CODE_KEY, string>> = {
  INTERNAL_SERVER_ERROR: 'Internal server error',
  SERVICE_UNAVAILABLE: 'Service unavailable: the database cannot be reached; try again shortly',
};

function validationIssues(error: TRPCError): InputIssue[] | undefined {
  if (error.code !== 'BAD_REQUEST') return undefined;
  const issues = (error.cause as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? toInputIssues(issues) : undefined;
}

/**
 * The one description of an error that every face shows: tRPC puts it in its error shape,
 * REST sends it as the body. Internal messages never leave: 5xx get a generic one.
 */
export function describeError(error: TRPCError): ApiError {
  const issues = validationIssues(error);
  const message =
    GENERIC_MESSAGES[error.code] ?? (issues ? describeInputIssues(issues) : error.message);
  return {
    status: getHTTPStatusCodeFromError(error),
    message,
    code: error.code,
    ...(issues && { issues }),
  };
}

const t = initTRPC.context<Context>().create({
  // Stack traces and internal messages never reach a caller, in any mode.
  isDev: false,
  errorFormatter({ shape, error }) {
    const { status, message, code, issues } = describeError(error);
    const data: ErrorData = {
      code: code as TRPC_ERROR_CODE_KEY,
      httpStatus: status,
      ...(shape.data.path !== undefined && { path: shape.data.path }),
      ...(issues && { issues }),
    };
    return { message, code: shape.code, data };
  },
});

export const createRouter = t.router;

// ---------------------------------------------------------------------------
// Procedures: authed (ctx.userId is set; handlers never re-check).
// ---------------------------------------------------------------------------

/** A database that cannot be reached is a 503 with a generic message, not a 500. */
function unavailableOr(cause: unknown): unknown {
  return isDatabaseUnavailable(cause)
    ? new TRPCError({ code: 'SERVICE_UNAVAILABLE', cause })
    : cause;
}

/**
 * Verifies the bearer token, then runs the procedure with the caller as ctx.userId and
 * ctx.actor; a database out of reach, in either step, is a 503. One middleware rather than
 * two, so one level fewer in every call's chain (docs/performance.md).
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const token = bearerToken(ctx.authorization);
  if (!token) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'Missing API token: send "Authorization: Bearer <token>"',
    });
  }
  const owner = looksLikeToken(token)
    ? await ctx.auth.verify(token).catch((cause: unknown) => {
        throw unavailableOr(cause);
      })
    : undefined;
  if (!owner) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid, revoked or expired API token' });
  }
  const result = await next({
    ctx: { userId: owner.userId, actor: { userId: owner.userId, tokenId: owner.tokenId } },
  });
  if (!result.ok && isDatabaseUnavailable(result.error.cause))
    throw unavailableOr(result.error.cause);
  return result;
});

/**
 * A procedure's answer, checked against its contract schema as `.output()` would: a value that
 * breaks the contract (a row edited by hand, a bug) becomes a 500, never a response. Checked in
 * the resolver rather than by `.output()`, which adds a level to every call's chain; measured
 * before `callProcedure` made a level cheap, that level cost more than the check itself
 * (docs/performance.md).
 */
export function answer<S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> {
  return schema.parse(value);
}

// ---------------------------------------------------------------------------
// Calling a procedure: what calling the procedure itself does, without the copies.
// ---------------------------------------------------------------------------

/** What a face hands a procedure: the arguments tRPC's own callers pass. */
export interface ProcedureCall {
  readonly ctx: object;
  readonly path: string;
  readonly type: 'query' | 'mutation';
  readonly getRawInput: () => Promise<unknown>;
  readonly signal: AbortSignal | undefined;
  readonly batchIndex?: number;
}

type MiddlewareResult =
  | { readonly ok: true; readonly data: unknown; readonly marker: string }
  | { readonly ok: false; readonly error: TRPCError; readonly marker: string };

interface NextOptions {
  readonly ctx?: object;
  readonly input?: unknown;
  readonly getRawInput?: () => Promise<unknown>;
}

interface ChainOptions extends ProcedureCall {
  readonly input: unknown;
}

type Middleware = (
  opts: ChainOptions & { meta: unknown; next(next?: NextOptions): Promise<MiddlewareResult> },
) => Promise<MiddlewareResult>;

/** The part of a built procedure its chain is made of: its middlewares, the resolver last. */
interface ProcedureChain {
  readonly _def: { readonly middlewares: readonly Middleware[]; readonly meta: unknown };
}

// tRPC tags each middleware result with this marker; kept so a middleware sees the same result.
const MIDDLEWARE_MARKER = 'middlewareMarker';

/**
 * Runs a procedure as calling it does (`procedure(opts)` in tRPC 11): each middleware in turn,
 * `next()` merging the ctx it is given and replacing input or raw input, a throw becoming a
 * failed result, the resolver last. The same middlewares, validation and resolver run with the
 * same arguments; what differs is that each level's options are one plain object literal rather
 * than copies made by tRPC's `defineProperty`-based helper, which on the update path cost more
 * CPU than the input validation (docs/performance.md). test/call-procedure.test.ts and the tRPC
 * handler's differential test (tRPC's express adapter still calls procedures tRPC's way) hold
 * the two equal.
 */
export async function callProcedure(procedure: AnyProcedure, call: ProcedureCall) {
  const { middlewares, meta } = (procedure as unknown as ProcedureChain)._def;
  const { type, path, signal, batchIndex } = call;
  // Every object below has one fixed shape, so V8 builds each without a generic copy.
  const step = async (
    index: number,
    ctx: object,
    input: unknown,
    getRawInput: () => Promise<unknown>,
  ): Promise<MiddlewareResult> => {
    try {
      const middleware = middlewares[index] as Middleware;
      return await middleware({
        ctx,
        type,
        path,
        input,
        getRawInput,
        meta,
        signal,
        batchIndex,
        next: (next) =>
          step(
            index + 1,
            next?.ctx ? { ...ctx, ...next.ctx } : ctx,
            next && 'input' in next ? next.input : input,
            next?.getRawInput ?? getRawInput,
          ),
      });
    } catch (cause) {
      return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: MIDDLEWARE_MARKER };
    }
  };
  const result = await step(0, call.ctx, undefined, call.getRawInput);
  if (!result) {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'No result from middlewares - did you forget to `return next()`?',
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}
