import { type Kysely, sql } from 'kysely';

// Every update writes an event, so each index and check on runner_events is paid on every
// update (docs/performance.md). One index serves both the key and the one read (a runner's
// events, newest first, by a backward scan). The foreign key to users goes: each insert
// locked the user's row (FOR KEY SHARE) against all of that user's concurrent updates, and
// the user_id it guarded is copied from the runner row in the same statement. Like the
// runner itself, an event is kept when what it names is gone.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE runner_events DROP CONSTRAINT runner_events_user_id_fkey`.execute(db);
  await sql`ALTER TABLE runner_events DROP CONSTRAINT runner_events_pkey`.execute(db);
  await sql`DROP INDEX runner_events_runner_idx`.execute(db);
  await sql`ALTER TABLE runner_events ADD PRIMARY KEY (user_id, runner_id, created_at, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE runner_events DROP CONSTRAINT runner_events_pkey`.execute(db);
  await sql`ALTER TABLE runner_events ADD PRIMARY KEY (user_id, id)`.execute(db);
  await sql`CREATE INDEX runner_events_runner_idx ON runner_events (user_id, runner_id, created_at DESC)`.execute(
    db,
  );
  await sql`
    ALTER TABLE runner_events ADD CONSTRAINT runner_events_user_id_fkey
      FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`.execute(db);
}
