import { type Kysely, sql } from 'kysely';

// Selection reads only a user's active runners and matches tags by containment: a partial
// index finds the candidates, a GIN index answers `tags @> …` without reading every row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX runners_user_active_idx ON runners (user_id) WHERE status = 'active'`.execute(
    db,
  );
  await sql`CREATE INDEX runners_tags_idx ON runners USING gin (tags)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX runners_tags_idx`.execute(db);
  await sql`DROP INDEX runners_user_active_idx`.execute(db);
}
