import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, { type Express } from 'express';
import type { DatabaseHandle } from './db/database';
import { sqlState } from './db/errors';
import { errorHandler, notFound } from './http/errors';
import { requestLog } from './http/request-log';
import { appRouter } from './router';
import type { Services } from './trpc';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  readonly services: Services;
  readonly database: Pick<DatabaseHandle, 'isReady'>;
  /** In production, logs carry no error messages or stacks: only names and SQLSTATEs. */
  readonly production: boolean;
}

/** Assembles the HTTP face of the service; every HTTP concern lives here, in trpc.ts or in http/. */
export function createApp({ services, database, production }: AppOptions): Express {
  const { logger } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(logger));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await database.isReady();
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', database: ready });
  });

  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: MAX_BODY_BYTES,
      createContext: ({ req }) => ({ ...services, authorization: req.headers.authorization }),
      onError({ error, path, type }) {
        if (error.code !== 'INTERNAL_SERVER_ERROR' && error.code !== 'SERVICE_UNAVAILABLE') return;
        const cause = error.cause;
        logger.error(
          {
            procedure: path,
            type,
            code: error.code,
            err_name: cause?.name,
            sqlstate: sqlState(cause),
            ...(!production && { err_message: cause?.message, stack: cause?.stack }),
          },
          'procedure failed',
        );
      },
    }),
  );

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
