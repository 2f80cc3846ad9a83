import { randomUUID } from 'node:crypto';
import type { Database } from '@runner-registry/api/db/schema';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { benchCipher } from './header-key';

// Every runner looks like a real one: a name, a private endpoint, two tags and one header.
const RUNNER_VALUES = (headers: RawBuilder<unknown>) => sql`
  'runner-' || i,
  'http://10.0.' || (i / 250) % 250 || '.' || i % 250 || ':8188',
  ${headers},
  ARRAY['gpu', 'a100'],
  date_trunc('milliseconds', now()) - i * interval '1 second',
  date_trunc('milliseconds', now()) - i * interval '1 second'`;

/**
 * `count` runners for `userId` in one INSERT … SELECT over arrays; answers their ids. Their
 * headers are encrypted with the bench key, as the service would write them.
 */
export async function seedRunners(
  db: Kysely<Database>,
  userId: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const sealed = ids.map((id) =>
    JSON.stringify(benchCipher.encrypt(id, { Authorization: 'Bearer comfy-secret' })),
  );
  await sql`
    INSERT INTO runners (id, user_id, name, endpoint, headers, tags, created_at, updated_at)
    SELECT d.id, ${userId}::uuid, ${RUNNER_VALUES(sql`d.headers::jsonb`)}
    FROM unnest(${ids}::uuid[], ${sealed}::text[]) WITH ORDINALITY AS d(id, headers, i)`.execute(
    db,
  );
  return ids;
}

/**
 * Adds other users, each with `perUser` runners, until the table holds `total` rows: the
 * measured user's share stays the same while the table and its indexes grow around it.
 * One INSERT … SELECT over users × generate_series, then ANALYZE so plans see the new size.
 * Their headers are never read, so they hold a placeholder, not an envelope.
 */
export async function growToRows(
  db: Kysely<Database>,
  total: number,
  perUser: number,
): Promise<void> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM runners`.execute(db);
  const missing = total - (rows[0]?.n ?? 0);
  if (missing <= 0) return;
  const users = Math.ceil(missing / perUser);
  await sql`
    INSERT INTO users (email)
    SELECT 'other-' || u || '@bench.invalid' FROM generate_series(1, ${users}::int) AS u`.execute(
    db,
  );
  await sql`
    INSERT INTO runners (user_id, name, endpoint, headers, tags, created_at, updated_at)
    SELECT owner.id, ${RUNNER_VALUES(sql`'{}'::jsonb`)}
    FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users
          WHERE email LIKE 'other-%@bench.invalid') AS owner,
         generate_series(1, ${perUser}::int) AS i
    WHERE (owner.n - 1) * ${perUser}::int + i <= ${missing}::int`.execute(db);
  await vacuumRunners(db);
}

/**
 * Clears dead row versions and refreshes statistics, so every case starts from the same state.
 * INDEX_CLEANUP ON: by default VACUUM skips index cleanup when under 2 % of the table's pages
 * hold dead items, and those pages then stay not all-visible. After the PUT cases that is
 * exactly the measured user's pages in the 1M table (1.3 % of it) but every page of the 10k
 * one, so the list's count would read the heap at 1M only: a difference of vacuum's
 * bookkeeping, not of the table's size (docs/performance.md).
 */
export async function vacuumRunners(db: Kysely<Database>): Promise<void> {
  await sql`VACUUM (ANALYZE, INDEX_CLEANUP ON) runners`.execute(db);
}
