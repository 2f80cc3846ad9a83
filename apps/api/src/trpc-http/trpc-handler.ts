import type { IncomingMessage, ServerResponse } from 'node:http';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCode,
  getProcedureAtPath,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import { BodyTooLargeError, readBodyText } from '../http/body';
import { procedureFailureLogger } from '../log/procedure-failure';
import { appRouter } from '../router';
import { callProcedure, createContext, type FaceOptions } from '../trpc';

/** Answers false for a request it leaves to tRPC's own adapter (trpc-middleware.ts). */
export type TrpcHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

type ProcedureType = 'query' | 'mutation';
type Procedure = NonNullable<Awaited<ReturnType<typeof getProcedureAtPath>>>;

const PREFIX = '/trpc/';
const METHOD_OF: Record<ProcedureType, 'GET' | 'POST'> = { query: 'GET', mutation: 'POST' };
const JSON_TYPE = 'application/json';

/** tRPC's own test of a media type: the part before any `;`, trimmed, ignoring case. */
const mediaType = (req: IncomingMessage) =>
  req.headers['content-type']?.toLowerCase().split(';', 1)[0]?.trim();

/**
 * tRPC's HTTP protocol on node:http, for the requests every tRPC client sends: a query over GET,
 * a mutation over POST with a JSON body, one call or a batch. Same procedures, context, error
 * formatter and logging as the express adapter, and the same answers: status, body and headers
 * (test/trpc-handler.test.ts sends one corpus to both and compares). What it leaves to the
 * adapter (return false): other methods and media types, streaming (`trpc-accept`/jsonl),
 * connection params, paths with more than one segment, a Host the URL parser refuses.
 *
 * Why: tRPC's adapter turns each Node request into a Fetch Request and its answer into a Fetch
 * Response with a stream body, and express routes it first; for runner.update that cost more
 * CPU than the procedure and its database round trip (docs/performance.md).
 */
export function createTrpcHandler({ services, production }: FaceOptions): TrpcHandler {
  const logFailure = procedureFailureLogger(services.logger, production);
  const config = appRouter._def._config;
  for (const [path, procedure] of Object.entries(appRouter._def.procedures)) {
    const type = (procedure as unknown as Procedure)._def.type;
    if (type !== 'query' && type !== 'mutation') {
      // Subscriptions stream; this handler answers in one piece. Fail at start, not per call.
      throw new Error(`createTrpcHandler serves queries and mutations only; ${path} is a ${type}`);
    }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, rawPath: string) => {
    const isBatch = url.searchParams.get('batch') === '1';
    const ctx = createContext(services, req);
    const headers: Record<string, string> = {
      vary: 'trpc-accept, accept',
      'content-type': JSON_TYPE,
    };
    let json: unknown;
    let errors: (TRPCError | undefined)[];
    try {
      const path = decodePath(rawPath);
      const paths = isBatch ? path.split(',') : [path];
      const inputs = lazyInputs(req, url, isBatch, paths.length);
      errors = new Array(paths.length).fill(undefined);
      const procedures = await Promise.all(
        paths.map(async (p) => (await getProcedureAtPath(appRouter, p)) as Procedure | null),
      );
      const types = new Set(procedures.flatMap((p) => (p ? [p._def.type as ProcedureType] : [])));
      if (types.size > 1) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `Cannot mix procedure types in call: ${[...types].join(', ')}`,
        });
      }

      const responses = await Promise.all(
        paths.map(async (callPath, index) => {
          const procedure = procedures[index];
          const callType = procedure?._def.type ?? 'unknown';
          try {
            if (!procedure) {
              throw new TRPCError({
                code: 'NOT_FOUND',
                message: `No procedure found on path "${callPath}"`,
              });
            }
            const method = METHOD_OF[procedure._def.type as ProcedureType];
            if (req.method !== method) {
              headers.allow = method;
              throw new TRPCError({
                code: 'METHOD_NOT_SUPPORTED',
                message: `Unsupported ${req.method}-request to ${procedure._def.type} procedure at path "${callPath}"`,
              });
            }
            const data = await callProcedure(procedure, {
              path: callPath,
              getRawInput: () => inputs.read(index),
              ctx,
              type: procedure._def.type as ProcedureType,
              signal: undefined,
              batchIndex: index,
            });
            return { result: { data } };
          } catch (cause) {
            const error = getTRPCErrorFromUnknown(cause);
            logFailure(error, callPath);
            errors[index] = error;
            const input = inputs.result(index);
            return {
              error: getErrorShape({ config, error, type: callType, path: callPath, input, ctx }),
            };
          }
        }),
      );
      json = isBatch ? responses : responses[0];
    } catch (cause) {
      // A fault of the request as a whole (before any call ran): one error, no path or type,
      // even for a batch.
      const error = getTRPCErrorFromUnknown(cause);
      logFailure(error, undefined);
      errors = [error];
      json = {
        error: getErrorShape({
          config,
          error,
          type: 'unknown',
          path: undefined,
          input: undefined,
          ctx,
        }),
      };
    }
    const status = getHTTPStatusCode(json as never, errors as TRPCError[]);
    const body = JSON.stringify(transformTRPCResponse(config, json as never));
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
  };

  return (req, res) => {
    const target = req.url ?? '/';
    if (!target.startsWith(PREFIX)) return false;
    const queryAt = target.indexOf('?');
    const rawPath = target.slice(PREFIX.length, queryAt === -1 ? undefined : queryAt);
    if (rawPath.includes('/')) return false;
    const type = mediaType(req);
    const plain =
      (req.method === 'POST' && type === JSON_TYPE) ||
      (req.method === 'GET' && (type === undefined || type === JSON_TYPE));
    if (!plain || req.headers['trpc-accept'] !== undefined) return false;
    if (req.headers.accept?.includes('application/jsonl')) return false;
    const url = requestUrl(req);
    if (!url || url.searchParams.has('connectionParams')) return false;
    void handle(req, res, url, rawPath).catch((error: unknown) => {
      // Only writing the answer can fail here; the socket is gone or broken.
      services.logger.warn({ err_name: (error as Error)?.name }, 'tRPC answer not written');
      res.destroy();
    });
    return true;
  };
}

/** The URL as tRPC's adapter builds it, or undefined where that fails (the adapter answers). */
function requestUrl(req: IncomingMessage): URL | undefined {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const protocol = req.headers[':scheme'] === 'https' || encrypted ? 'https:' : 'http:';
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? 'localhost';
  try {
    return new URL(req.url ?? '/', `${protocol}//${host}`);
  } catch {
    return undefined;
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch (cause) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Invalid URL-encoding in path "${path}"`,
      cause,
    });
  }
}

/**
 * The calls' raw inputs, read when the first procedure asks (after its auth middleware, as in
 * tRPC): the `input` query parameter of a GET, the body of a POST. A batch's input is an object
 * keyed by call index. Any failure is the same BAD_REQUEST (or 413) tRPC gives, for each call.
 */
function lazyInputs(req: IncomingMessage, url: URL, isBatch: boolean, calls: number) {
  let inputs: Promise<Record<number, unknown>> | undefined;
  let settled: Record<number, unknown> | undefined;
  const load = async (): Promise<Record<number, unknown>> => {
    let parsed: unknown;
    try {
      const text = req.method === 'GET' ? url.searchParams.get('input') : await readBodyText(req);
      if (text) parsed = JSON.parse(text);
    } catch (cause) {
      if (cause instanceof BodyTooLargeError) throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE' });
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: cause instanceof Error ? cause.message : 'Invalid input',
        cause,
      });
    }
    const byIndex: Record<number, unknown> = Object.create(null);
    if (parsed === undefined) return byIndex;
    if (!isBatch) {
      byIndex[0] = parsed;
      return byIndex;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    for (let index = 0; index < calls; index++) {
      const input = (parsed as Record<number, unknown>)[index];
      if (input !== undefined) byIndex[index] = input;
    }
    return byIndex;
  };
  return {
    async read(index: number): Promise<unknown> {
      inputs ??= load();
      settled = await inputs;
      return settled[index];
    },
    /** What was read, for the error shape; nothing if it was never read or failed. */
    result: (index: number): unknown => settled?.[index],
  };
}
