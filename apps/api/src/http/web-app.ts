import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { errorBody } from './errors';

/** apps/web/dist, found from this file: apps/api/src/http → apps/web/dist. */
export const DEFAULT_WEB_DIST = path.resolve(import.meta.dirname, '../../../web/dist');

/** Paths that belong to the API; the dashboard never answers for them. */
const API_PATHS = /^\/(?:trpc|v1|openapi\.json|docs|healthz|readyz)(?:\/|$)/;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard (apps/web's build) at `/`: its files, and index.html for any other page a
 * browser asks for outside the API's paths, so a reload anywhere lands on the app. Without a build, a short 404 says
 * how to make one; the API is unaffected either way.
 */
export function createWebAppRouter(distDir: string): Router {
  const router = express.Router();
  const indexFile = path.join(distDir, 'index.html');

  router.use((req, res, next) => {
    if (API_PATHS.test(req.path)) return next('router');
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.use(
    '/assets',
    // Vite names every asset by its content hash: safe to cache for good.
    express.static(path.join(distDir, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '1y',
      fallthrough: true,
    }),
  );
  router.use(express.static(distDir, { index: false, maxAge: 0 }));
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // `/` is always the app; elsewhere only a browser navigation (asking for HTML) gets it, so
    // a missing file or a mistyped API path still answers the JSON 404.
    const wantsPage = req.path === '/' || (req.headers.accept ?? '').includes('text/html');
    if (!wantsPage || path.extname(req.path) !== '') return next();
    if (!fs.existsSync(indexFile)) {
      res
        .status(404)
        .json(
          errorBody(
            404,
            'The web dashboard is not built: run `pnpm start` (it builds it) or `pnpm --filter @runner-registry/web build`',
          ),
        );
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
