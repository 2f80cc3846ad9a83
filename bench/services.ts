import path from 'node:path';
import { freePort } from './free-port';
import { BENCH_HEADER_KEY } from './header-key';
import { type ServerProcess, startServer } from './server-process';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export type Database = { readonly url: string } | { readonly dataDir: string };

/**
 * The service as production runs it: its own process, NODE_ENV=production, a log line per
 * request at LOG_LEVEL=info. `nodeFlags` lets the profiler in.
 */
export async function startService(
  database: Database,
  nodeFlags: readonly string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: 'service',
    command: process.execPath,
    args: [...nodeFlags, '--import', 'tsx', 'apps/api/src/main.ts'],
    cwd: REPO_ROOT,
    port,
    env: serviceEnv(database, port),
  });
}

/** The floor (bench/floor.ts) on the same Postgres database. */
export async function startFloor(
  databaseUrl: string,
  nodeFlags: readonly string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  return startServer({
    name: 'floor',
    command: process.execPath,
    args: [...nodeFlags, '--import', 'tsx', 'bench/floor.ts'],
    cwd: REPO_ROOT,
    port,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) },
  });
}

export function serviceEnv(database: Database, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    // BENCH_LOG_LEVEL=warn measures what the per-request log line costs.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'info',
    HEADER_ENCRYPTION_KEY: BENCH_HEADER_KEY.toString('base64'),
  };
  if ('url' in database) {
    env.DATABASE_URL = database.url;
  } else {
    delete env.DATABASE_URL;
    env.DATA_DIR = database.dataDir;
  }
  return env;
}
