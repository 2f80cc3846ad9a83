import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { HeaderCipher } from './header-cipher';

const BATCH = 500;

/**
 * Re-encrypts every runner's headers that are not under the primary key yet. Each row is
 * swapped only if it still holds what was read, so a concurrent update is never undone;
 * updated_at is left alone, since the runner itself did not change. `scope` limits it to
 * one user's runners.
 */
export async function rotateHeaderKey(
  db: Kysely<Database>,
  cipher: HeaderCipher,
  scope: { readonly userId?: string } = {},
): Promise<number> {
  let rotated = 0;
  for (;;) {
    let query = db
      .selectFrom('runners')
      .select(['id', 'user_id', 'headers'])
      .where(sql<string>`headers->>'kid'`, '<>', cipher.primaryKeyId);
    if (scope.userId) query = query.where('user_id', '=', scope.userId);
    const rows = await query.limit(BATCH).execute();
    if (rows.length === 0) return rotated;
    for (const row of rows) {
      const sealed = JSON.stringify(cipher.encrypt(row.id, cipher.decrypt(row.id, row.headers)));
      const result = await db
        .updateTable('runners')
        .set({ headers: sql`${sealed}::jsonb` })
        .where('user_id', '=', row.user_id)
        .where('id', '=', row.id)
        .where(sql<boolean>`headers = ${JSON.stringify(row.headers)}::jsonb`)
        .executeTakeFirst();
      rotated += Number(result.numUpdatedRows);
    }
  }
}
