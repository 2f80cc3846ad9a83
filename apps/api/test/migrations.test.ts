import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTokenRepository } from '../src/auth/token-repository';
import { type DatabaseHandle, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { migrations } from '../src/db/migrations/index';
import type { Database } from '../src/db/schema';
import { createRunnerRepository } from '../src/runners/runner-repository';
import { dialect, testCipher } from './support/harness';
import { createTestDatabase, dropTestDatabase } from './support/postgres-admin';

async function eventsShape(db: Kysely<Database>) {
  const { rows: indexes } = await sql<{ indexdef: string }>`
    SELECT indexdef FROM pg_indexes WHERE tablename = 'runner_events' ORDER BY indexname`.execute(
    db,
  );
  const { rows: foreignKeys } = await sql<{ conname: string }>`
    SELECT conname FROM pg_constraint
    WHERE conrelid = 'runner_events'::regclass AND contype = 'f'`.execute(db);
  return {
    indexes: indexes.map((row) => row.indexdef.replace(/^.* USING btree /, '')),
    foreignKeys: foreignKeys.map((row) => row.conname),
  };
}

describe.skipIf(dialect !== 'postgres')(
  'migrations on a database of their own (Postgres only: the run shares one migrated database)',
  () => {
    const name = `runner_registry_migrations_${randomBytes(6).toString('hex')}`;
    const serverUrl = inject('databaseUrl') ?? '';
    let database: DatabaseHandle;

    beforeAll(async () => {
      const url = await createTestDatabase(serverUrl, name);
      database = await openDatabase({ kind: 'postgres', url, poolMax: 2 }, { purpose: 'test' });
    });
    afterAll(async () => {
      await database?.close();
      await dropTestDatabase(serverUrl, name);
    });

    it('apply in order, and the audit table keeps one index and no foreign key', async () => {
      expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
      expect(await eventsShape(database.db)).toEqual({
        indexes: ['(user_id, runner_id, created_at, id)'],
        foreignKeys: [],
      });
    });

    it('0004 goes down and up again with the events it holds', async () => {
      const { userId, tokenId } = await createTokenRepository(database.db).createUser(
        'migrations@example.test',
      );
      const runners = createRunnerRepository(database, testCipher);
      const actor = { userId, tokenId };
      const runner = await runners.create(actor, { name: 'm', endpoint: 'http://10.0.0.1:8188' });
      await runners.update(actor, runner.id, { name: 'n' });
      const before = await runners.events(userId, runner.id);
      expect(before.map((event) => event.action)).toEqual(['update', 'create']);

      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => ({ ...migrations }) },
      });
      const down = await migrator.migrateDown();
      expect(down.error).toBeUndefined();
      expect(down.results?.map((result) => result.migrationName)).toEqual([
        '0004-leaner-audit-writes',
      ]);
      expect(await eventsShape(database.db)).toEqual({
        indexes: ['(user_id, id)', '(user_id, runner_id, created_at DESC)'],
        foreignKeys: ['runner_events_user_id_fkey'],
      });
      expect(await runners.events(userId, runner.id)).toEqual(before);

      expect(await migrateToLatest(database.db)).toEqual(['0004-leaner-audit-writes']);
      expect(await runners.events(userId, runner.id)).toEqual(before);
    });
  },
);
