import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from './migrations/index';
import type { Database } from './schema';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Applies every pending migration. Kysely's Migrator takes a lock in the database first,
 * so two instances starting at once apply each migration exactly once.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error || failed) {
    const name = failed ? ` "${failed.migrationName}"` : '';
    throw new MigrationError(`Migration${name} failed`, { cause: error });
  }
  return results.map((result) => result.migrationName);
}
