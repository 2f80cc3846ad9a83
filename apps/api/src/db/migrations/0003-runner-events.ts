import { type Kysely, sql } from 'kysely';

// The audit trail. No foreign key to runners: events outlive the runner they describe.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE runner_events (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      runner_id uuid NOT NULL,
      actor_token_id uuid,
      action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
      changed_fields text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (user_id, id)
    )`.execute(db);
  await sql`CREATE INDEX runner_events_runner_idx ON runner_events (user_id, runner_id, created_at DESC)`.execute(
    db,
  );
  // Headers now hold an AES-256-GCM envelope {kid, iv, ct}, never plaintext.
  await sql`COMMENT ON COLUMN runners.headers IS 'AES-256-GCM envelope {kid, iv, ct} of the header object'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE runner_events`.execute(db);
}
