import { createTokenRepository } from '@runner-registry/api/auth/token-repository';
import { type DatabaseHandle, openDatabase } from '@runner-registry/api/db/database';
import { migrateToLatest } from '@runner-registry/api/db/migrate';
import pg from 'pg';
import { onCleanup } from './cleanup';
import { seedRunners } from './seed';

export interface SeededUser {
  readonly token: string;
  readonly userId: string;
  /** The ids of the user's runners; every measured request picks one at random. */
  readonly runnerIds: readonly string[];
}

export const MEASURED_USER_EMAIL = 'bench@example.com';

/** A Postgres database of its own, on the server of `serverUrl`, dropped at cleanup. */
let created = 0;

export async function createBenchDatabase(serverUrl: string): Promise<string> {
  created += 1;
  const name = `runner_registry_bench_${process.pid}_${Date.now()}_${created}`;
  await withMaintenance(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`),
  );
  onCleanup(`drop database ${name}`, async () => {
    await withMaintenance(serverUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
    );
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Migrates with the project's own migrations, then seeds the measured user and its runners. */
export async function prepareDatabase(
  database: DatabaseHandle,
  runners: number,
): Promise<SeededUser> {
  await migrateToLatest(database.db);
  const issued = await createTokenRepository(database.db).createUser(MEASURED_USER_EMAIL);
  const runnerIds = await seedRunners(database.db, issued.userId, runners);
  return { token: issued.token, userId: issued.userId, runnerIds };
}

/** Opens the bench database through the service's own code, runs `fn`, closes it. */
export async function withDatabase<T>(
  target: Parameters<typeof openDatabase>[0],
  fn: (database: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(target, { purpose: 'bench' });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function withMaintenance<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>) {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
