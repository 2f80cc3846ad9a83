import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { EmbeddedDatabaseBusyError } from './db/embedded-lock';
import { migrateToLatest } from './db/migrate';
import { createLogger } from './log/logger';
import { loadHeaderCipher } from './runners/header-keys';
import { startServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const headerCipher = loadHeaderCipher(config);
  const database = await openDatabase(config.database, {
    purpose: 'server',
    onIdleError: (error) =>
      logger.warn({ err_name: error.name }, 'idle database connection failed'),
  });
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');

  const server = await startServer({
    database,
    logger,
    host: config.host,
    port: config.port,
    production: config.production,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    outbound: config.outbound,
    headerCipher,
    authCacheTtlMs: config.authCacheTtlMs,
    webDistDir: config.webDistDir,
  });
  logger.info(
    { url: server.url, database: config.database.kind },
    `runner registry listening on ${server.url}`,
  );
  // Whoever started the process sees it is up now, not at the next batch of log lines.
  logger.flush();

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    // A second signal while draining changes nothing: the drain has its own timeout.
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await server.stop();
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof EmbeddedDatabaseBusyError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`runner registry failed to start: ${name}: ${message}\n`);
  }
  process.exit(1);
});
