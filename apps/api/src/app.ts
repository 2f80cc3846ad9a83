import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { DatabaseHandle } from './db/database';
import { errorHandler, notFound } from './http/errors';
import { requestLogger } from './http/request-log';
import { createWebAppRouter, DEFAULT_WEB_DIST } from './http/web-app';
import { createDocsRouter } from './rest/docs';
import { createOpenApiDocument } from './rest/openapi';
import { createRestHandler } from './rest/rest-handler';
import type { FaceOptions } from './trpc';
import { createTrpcHandler } from './trpc-http/trpc-handler';
import { createTrpcMiddleware } from './trpc-http/trpc-middleware';

export interface AppOptions extends FaceOptions {
  readonly database: Pick<DatabaseHandle, 'isReady'>;
  /** The dashboard's build (apps/web/dist by default), served at `/`. */
  readonly webDistDir?: string;
}

/** Assembles the HTTP face of the service; every HTTP concern lives here, in trpc.ts or in http/. */
export function createApp({
  services,
  database,
  production,
  webDistDir = DEFAULT_WEB_DIST,
}: AppOptions): Express {
  const { logger } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await database.isReady();
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', database: ready });
  });

  app.use('/trpc', createTrpcMiddleware({ services, production }));

  const openApiDocument = JSON.stringify(createOpenApiDocument());
  app.get('/openapi.json', (_req, res) => {
    res.type('json').send(openApiDocument);
  });
  app.use('/docs', createDocsRouter());
  app.use(createWebAppRouter(webDistDir));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/**
 * Every request: logged, then answered by the REST face (/v1), the tRPC handler (/trpc), or the
 * express app (the rest of tRPC's protocol, the document, /docs, health, the dashboard).
 */
export function createRequestListener(options: AppOptions): RequestListener {
  const app = createApp(options);
  const rest = createRestHandler(options);
  const trpc = createTrpcHandler(options);
  const logRequest = requestLogger(options.services.logger);
  return (req: IncomingMessage, res: ServerResponse) => {
    logRequest(req, res);
    if (!rest(req, res) && !trpc(req, res)) app(req, res);
  };
}
