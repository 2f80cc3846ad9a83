import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { RequestHandler } from 'express';
import { MAX_BODY_BYTES } from '../http/limits';
import { procedureFailureLogger } from '../log/procedure-failure';
import { appRouter } from '../router';
import { createContext, type FaceOptions } from '../trpc';

/**
 * tRPC's own express adapter, mounted at /trpc: it answers what the node:http handler
 * (trpc-handler.ts) leaves to it, and is the reference that handler is tested against.
 */
export function createTrpcMiddleware({ services, production }: FaceOptions): RequestHandler {
  const logFailure = procedureFailureLogger(services.logger, production);
  return createExpressMiddleware({
    router: appRouter,
    maxBodySize: MAX_BODY_BYTES,
    createContext: ({ req }) => createContext(services, req),
    onError: ({ error, path }) => logFailure(error, path),
    // tRPC labels errors raised before a procedure runs (415, 405, parse errors) text/plain;
    // every error body is JSON, so it says so.
    responseMeta: ({ errors }) =>
      errors.length > 0 ? { headers: { 'content-type': 'application/json' } } : {},
  });
}
