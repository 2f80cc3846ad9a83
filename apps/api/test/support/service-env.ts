import { inject } from 'vitest';

/** The environment a child process of the service gets: the run's database, nothing inherited. */
export function serviceEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    NODE_ENV: 'production',
    ...extra,
  };
  const databaseUrl = inject('databaseUrl');
  // On Postgres the service refuses to start without a key; embedded mode makes its own.
  if (databaseUrl) {
    env.DATABASE_URL = databaseUrl;
    env.HEADER_ENCRYPTION_KEY = inject('headerKey');
  }
  return env;
}
