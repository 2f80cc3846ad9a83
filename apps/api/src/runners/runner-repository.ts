import type {
  Runner,
  RunnerChanges,
  RunnerCreateInput,
  RunnerListQuery,
} from '@runner-registry/contract';
import { type Kysely, sql, type UpdateObject } from 'kysely';
import type { Database, RunnerRow } from '../db/schema';

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

/** The wire form of a row: the contract's Runner, timestamps as ISO 8601. */
export function toRunner(row: RunnerRow): Runner {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    status: row.status,
    endpoint: row.endpoint,
    tags: row.tags,
    headers: row.headers,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * Every query here is scoped by user_id: another user's runner and a missing one look the same,
 * and each query stays within one tenant.
 */
export function createRunnerRepository(db: Kysely<Database>) {
  return {
    async create(userId: string, input: RunnerCreateInput): Promise<Runner> {
      const row = await db
        .insertInto('runners')
        .values({
          user_id: userId,
          name: input.name,
          endpoint: input.endpoint,
          headers: JSON.stringify(input.headers ?? {}),
          tags: input.tags ?? [],
        })
        .returning(RUNNER_COLUMNS)
        .executeTakeFirstOrThrow();
      return toRunner(row);
    },

    async get(userId: string, id: string): Promise<Runner | undefined> {
      const row = await db
        .selectFrom('runners')
        .select(RUNNER_COLUMNS)
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
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
     * One statement, setting only the given columns: no read-modify-write, so concurrent
     * updates of different fields never lose each other. updated_at moves forward by at least
     * a millisecond, the precision the wire carries, even when two updates share a clock tick.
     */
    async update(userId: string, id: string, changes: RunnerChanges): Promise<Runner | undefined> {
      const set: UpdateObject<Database, 'runners'> = {
        updated_at: sql<Date>`greatest(date_trunc('milliseconds', now()), updated_at + interval '1 millisecond')`,
      };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.endpoint !== undefined) set.endpoint = changes.endpoint;
      if (changes.status !== undefined) set.status = changes.status;
      if (changes.tags !== undefined) set.tags = changes.tags;
      if (changes.headers !== undefined) set.headers = JSON.stringify(changes.headers);
      const row = await db
        .updateTable('runners')
        .set(set)
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .returning(RUNNER_COLUMNS)
        .executeTakeFirst();
      return row && toRunner(row);
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

    async delete(userId: string, id: string): Promise<Runner | undefined> {
      const row = await db
        .deleteFrom('runners')
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .returning(RUNNER_COLUMNS)
        .executeTakeFirst();
      return row && toRunner(row);
    },
  };
}

export type RunnerRepository = ReturnType<typeof createRunnerRepository>;
