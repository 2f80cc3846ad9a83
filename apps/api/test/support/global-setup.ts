import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { openDatabase, wrapPGlite } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { adminUrl, createTestDatabase, dropTestDatabase } from './postgres-admin';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when the suite runs on real Postgres: a fresh database made for this run. */
    databaseUrl: string | undefined;
    /** Set when the suite runs on the embedded database: a migrated data directory snapshot. */
    pgliteSnapshot: string | undefined;
    /** The runner-header key of this run, base64. */
    headerKey: string;
  }
}

/**
 * Builds the schema once per run. On Postgres (DATABASE_URL set) it creates a database of its
 * own and drops it afterwards; on the embedded default it snapshots a migrated PGlite, which
 * each test file restores in about a second.
 */
export default async function setup(project: TestProject) {
  project.provide('headerKey', randomBytes(32).toString('base64'));
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `runner_registry_test_${randomBytes(6).toString('hex')}`;
    const databaseUrl = await createTestDatabase(serverUrl, name);
    const database = await openDatabase(
      { kind: 'postgres', url: databaseUrl, poolMax: 2 },
      { purpose: 'test setup' },
    );
    await migrateToLatest(database.db);
    await database.close();
    project.provide('databaseUrl', databaseUrl);
    project.provide('pgliteSnapshot', undefined);
    return () => dropTestDatabase(adminUrl(serverUrl), name);
  }

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-test-'));
  const snapshot = path.join(dir, 'migrated.tar');
  const pglite = new PGlite();
  const database = wrapPGlite(pglite);
  await migrateToLatest(database.db);
  const dump = await pglite.dumpDataDir('none');
  await fs.writeFile(snapshot, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('databaseUrl', undefined);
  project.provide('pgliteSnapshot', snapshot);
  return () => fs.rm(dir, { recursive: true, force: true });
}
