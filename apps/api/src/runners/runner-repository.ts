import { randomUUID } from 'node:crypto';
import type {
  Runner,
  RunnerChanges,
  RunnerCreateInput,
  RunnerEvent,
  RunnerListQuery,
} from '@runner-registry/contract';
import { type RawBuilder, sql } from 'kysely';
import type { DatabaseHandle } from '../db/database';
import type { RunnerEventRow, RunnerRow } from '../db/schema';
import type { HeaderCipher } from './header-cipher';

/** Who makes a change: the user, and the API token the request carried. */
export interface Actor {
  readonly userId: string;
  readonly tokenId: string | null;
}

/** The runner changed since the `updated_at` the caller expected; nothing was written. */
export class StaleRunnerError extends Error {
  override name = 'StaleRunnerError';
}

const RUNNER_COLUMNS = [
  'id',
  'user_id',
  'name',
  'status',
  'endpoint',
  'tags',
  'headers',
  'created_at',
  'updated_at',
] as const;
const RETURNING = sql.raw(RUNNER_COLUMNS.join(', '));
const ALL_FIELDS = ['name', 'endpoint', 'status', 'tags', 'headers'];
const EVENTS_LIMIT = 1000;

// The hot paths run fixed texts, built once (no query building per call).
const GET_RUNNER = `SELECT ${RUNNER_COLUMNS.join(', ')} FROM runners WHERE user_id = $1 AND id = $2`;

/**
 * The update, as one fixed text for every combination of fields, so that Postgres plans it
 * once per connection (db/prepared-statements.ts) and nothing is built per call: a null
 * parameter keeps the column's value (every column is NOT NULL, so null never means "clear").
 * $1 user, $2 runner, $3–$7 name, endpoint, status, tags, sealed headers, $8 the expected
 * updated_at or null, $9 the actor's token.
 */
const UPDATE_RUNNER = `
  WITH b AS (
    SELECT id, user_id, name, status, endpoint, tags, headers FROM runners
    WHERE user_id = $1 AND id = $2
    FOR UPDATE
  ), changed AS (
    UPDATE runners AS r SET
      name = coalesce($3, r.name),
      endpoint = coalesce($4, r.endpoint),
      status = coalesce($5, r.status),
      tags = coalesce($6::text[], r.tags),
      headers = coalesce($7::jsonb, r.headers),
      updated_at = greatest(date_trunc('milliseconds', now()), r.updated_at + interval '1 millisecond')
    FROM b
    WHERE r.user_id = b.user_id AND r.id = b.id
      AND ($8::timestamptz IS NULL OR r.updated_at = $8::timestamptz)
    RETURNING ${RUNNER_COLUMNS.map((column) => `r.${column}`).join(', ')},
      array_remove(ARRAY[${ALL_FIELDS.map(
        (field) => `CASE WHEN r.${field} IS DISTINCT FROM b.${field} THEN '${field}' END`,
      ).join(', ')}]::text[], NULL) AS changed_fields
  ), event AS (
    INSERT INTO runner_events (user_id, runner_id, actor_token_id, action, changed_fields)
    SELECT user_id, id, $9::uuid, 'update', changed_fields FROM changed
  )
  SELECT ${RUNNER_COLUMNS.join(', ')} FROM changed`;

/**
 * Every query here is scoped by user_id: another user's runner and a missing one look the same,
 * and each query stays within one tenant. Every change writes its audit event in the same
 * statement, so a change and its event exist together or not at all.
 */
export function createRunnerRepository(
  database: Pick<DatabaseHandle, 'db' | 'query'>,
  cipher: HeaderCipher,
) {
  const { db } = database;
  const toRunner = (row: RunnerRow): Runner => ({
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    status: row.status,
    endpoint: row.endpoint,
    tags: row.tags,
    headers: cipher.decrypt(row.id, row.headers),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  });

  const sealed = (id: string, headers: Record<string, string>) =>
    JSON.stringify(cipher.encrypt(id, headers));

  const recordEvent = (
    actor: Actor,
    action: RunnerEvent['action'],
    fields: RawBuilder<unknown>,
  ) => sql`
    INSERT INTO runner_events (user_id, runner_id, actor_token_id, action, changed_fields)
    SELECT user_id, id, ${actor.tokenId}::uuid, ${action}, ${fields} FROM changed`;

  return {
    async create(actor: Actor, input: RunnerCreateInput): Promise<Runner> {
      const id = randomUUID();
      const { rows } = await sql<RunnerRow>`
        WITH changed AS (
          INSERT INTO runners (id, user_id, name, endpoint, headers, tags)
          VALUES (${id}, ${actor.userId}, ${input.name}, ${input.endpoint},
                  ${sealed(id, input.headers ?? {})}::jsonb, ${input.tags ?? []}::text[])
          RETURNING ${RETURNING}
        ), event AS (${recordEvent(actor, 'create', sql`${ALL_FIELDS}::text[]`)})
        SELECT * FROM changed`.execute(db);
      return toRunner(rows[0] as RunnerRow);
    },

    async get(userId: string, id: string): Promise<Runner | undefined> {
      const [row] = await database.query<RunnerRow>(GET_RUNNER, [userId, id]);
      return row && toRunner(row);
    },

    async list(
      userId: string,
      query: RunnerListQuery,
    ): Promise<{ runners: Runner[]; total: number }> {
      let filtered = db.selectFrom('runners').where('user_id', '=', userId);
      if (query.status) filtered = filtered.where('status', '=', query.status);
      if (query.tags && query.tags.length > 0) {
        filtered = filtered.where(sql<boolean>`tags @> ${sql.val(query.tags)}::text[]`);
      }
      const [rows, count] = await Promise.all([
        filtered
          .select(RUNNER_COLUMNS)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(query.per_page)
          .offset((query.page - 1) * query.per_page)
          .execute(),
        filtered.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
      ]);
      return { runners: rows.map(toRunner), total: count.total };
    },

    /**
     * One statement that sets only the given columns: no read-modify-write, so concurrent
     * updates of different fields never lose each other. It locks the row, compares old and new
     * values for the audit event, and moves updated_at forward by at least a millisecond (the
     * precision the wire carries) even when two updates share a clock tick. With
     * `expectedUpdatedAt`, a runner changed since then is left alone: StaleRunnerError.
     */
    async update(
      actor: Actor,
      id: string,
      changes: RunnerChanges,
      expectedUpdatedAt?: string,
    ): Promise<Runner | undefined> {
      const [row] = await database.query<RunnerRow>(UPDATE_RUNNER, [
        actor.userId,
        id,
        changes.name ?? null,
        changes.endpoint ?? null,
        changes.status ?? null,
        changes.tags ?? null,
        changes.headers === undefined ? null : sealed(id, changes.headers),
        expectedUpdatedAt ?? null,
        actor.tokenId,
      ]);
      if (row) return toRunner(row);
      if (expectedUpdatedAt !== undefined && (await this.get(actor.userId, id))) {
        throw new StaleRunnerError('The runner has changed since the given updated_at');
      }
      return undefined;
    },

    /**
     * One of the user's active runners that carries every requested tag (a runner without tags
     * qualifies for anything), chosen uniformly at random. One query on the user's active runners.
     */
    async select(userId: string, tags: readonly string[]): Promise<Runner | undefined> {
      const row = await db
        .selectFrom('runners')
        .select(RUNNER_COLUMNS)
        .where('user_id', '=', userId)
        .where('status', '=', 'active')
        .where(sql<boolean>`(tags @> ${sql.val(tags)}::text[] OR tags = '{}')`)
        .orderBy(sql`random()`)
        .limit(1)
        .executeTakeFirst();
      return row && toRunner(row);
    },

    async delete(actor: Actor, id: string): Promise<Runner | undefined> {
      const { rows } = await sql<RunnerRow>`
        WITH changed AS (
          DELETE FROM runners WHERE user_id = ${actor.userId} AND id = ${id}
          RETURNING ${RETURNING}
        ), event AS (${recordEvent(actor, 'delete', sql`'{}'::text[]`)})
        SELECT * FROM changed`.execute(db);
      const row = rows[0];
      return row && toRunner(row);
    },

    /** The runner's audit trail, newest first; kept after the runner is deleted. */
    async events(userId: string, runnerId: string): Promise<RunnerEvent[]> {
      const rows = await db
        .selectFrom('runner_events')
        .selectAll()
        .where('user_id', '=', userId)
        .where('runner_id', '=', runnerId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(EVENTS_LIMIT)
        .execute();
      return rows.map(toEvent);
    },
  };
}

function toEvent(row: RunnerEventRow): RunnerEvent {
  return {
    id: row.id,
    runner_id: row.runner_id,
    action: row.action,
    actor: { user_id: row.user_id, token_id: row.actor_token_id },
    changed_fields: row.changed_fields,
    created_at: row.created_at.toISOString(),
  };
}

export type RunnerRepository = ReturnType<typeof createRunnerRepository>;
