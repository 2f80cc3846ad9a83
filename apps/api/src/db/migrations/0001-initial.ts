import { type Kysely, sql } from 'kysely';

// Constraints mirror the contract as a second line of defence; the contract's messages come first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 320),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`.execute(db);

  await sql`
    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id)`.execute(db);

  // The key leads with user_id: every query is scoped by it, and a Citus table distributed
  // by user_id needs it in every unique constraint.
  await sql`
    CREATE TABLE runners (
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
      endpoint text NOT NULL CHECK (endpoint ~ '^https?://' AND char_length(endpoint) <= 2048),
      headers jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
      tags text[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(tags) <= 10 AND array_position(tags, NULL) IS NULL),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      PRIMARY KEY (user_id, id)
    )`.execute(db);
  await sql`CREATE INDEX runners_user_newest_idx ON runners (user_id, created_at DESC, id DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE runners`.execute(db);
  await sql`DROP TABLE api_tokens`.execute(db);
  await sql`DROP TABLE users`.execute(db);
}
