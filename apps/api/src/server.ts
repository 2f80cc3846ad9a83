import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createRequestListener } from './app';
import { createTokenCache } from './auth/token-cache';
import { createTokenRepository } from './auth/token-repository';
import type { DatabaseHandle } from './db/database';
import { clientErrorHandler } from './http/errors';
import type { HeaderCipher } from './runners/header-cipher';
import { createRunnerHttp, type OutboundOptions } from './runners/runner-http';
import { createRunnerRepository } from './runners/runner-repository';
import type { Services } from './trpc';

export interface ServerOptions {
  readonly database: DatabaseHandle;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  readonly production: boolean;
  readonly shutdownTimeoutMs: number;
  readonly outbound: OutboundOptions;
  readonly headerCipher: HeaderCipher;
  /** How long a verified token is trusted without a lookup; revocation takes effect within it. */
  readonly authCacheTtlMs: number;
  /** The dashboard's build directory; apps/web/dist when absent. */
  readonly webDistDir?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly server: http.Server;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), then resolves. */
  stop(): Promise<void>;
}

/** What the procedures use, built on one database. */
export function createServices(
  options: Pick<
    ServerOptions,
    'database' | 'logger' | 'outbound' | 'headerCipher' | 'authCacheTtlMs'
  >,
): Services {
  const { db } = options.database;
  return {
    runners: createRunnerRepository(options.database, options.headerCipher),
    auth: createTokenCache(createTokenRepository(db), { ttlMs: options.authCacheTtlMs }),
    runnerHttp: createRunnerHttp(options.outbound),
    logger: options.logger,
  };
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { database, logger } = options;
  const listener = createRequestListener({
    services: createServices(options),
    database,
    production: options.production,
    ...(options.webDistDir && { webDistDir: options.webDistDir }),
  });
  const server = http.createServer(listener);
  server.on('clientError', clientErrorHandler);
  // Behind a load balancer, idle keep-alive sockets must outlive the balancer's own timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    server,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        const forceTimer = setTimeout(() => {
          logger.warn('shutdown timeout: closing the remaining connections');
          server.closeAllConnections();
        }, options.shutdownTimeoutMs);
        // Connections that go idle after their last response are closed as soon as they do.
        const idleTimer = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(forceTimer);
          clearInterval(idleTimer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return stopping;
    },
  };
}
