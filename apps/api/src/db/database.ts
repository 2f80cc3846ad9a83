import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../config';
import { acquireEmbeddedLock } from './embedded-lock';
import { preparingClient } from './prepared-statements';
import type { Database } from './schema';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /**
   * Runs one statement with its parameters and answers the rows: how the hot paths run their
   * fixed texts. On Postgres it goes to the pool directly: Kysely's connection layer added
   * ≈ 12 µs of CPU per query (docs/performance.md). On PGlite it goes through Kysely,
   * whose driver serialises the one connection, so a statement never lands inside another
   * caller's transaction.
   */
  query<Row>(text: string, values: readonly unknown[]): Promise<Row[]>;
  readonly kind: DatabaseTarget['kind'];
  /** Answers within `timeoutMs` whether a trivial query succeeds. */
  isReady(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Who holds the embedded database, named in the message another opener gets. */
  readonly purpose: string;
  /** Called with connection errors outside a query, which must never crash the process. */
  readonly onIdleError?: (error: Error) => void;
}

/** One code path above the dialect: a pg Pool on Postgres, or PGlite in process. */
export async function openDatabase(
  target: DatabaseTarget,
  options: OpenDatabaseOptions,
): Promise<DatabaseHandle> {
  return target.kind === 'postgres'
    ? openPostgres(target.url, target.poolMax, options)
    : openEmbedded(target.dataDir, options);
}

function openPostgres(url: string, poolMax: number, options: OpenDatabaseOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    // Fail fast while the database is away instead of queueing requests without end.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 30_000,
    application_name: 'runner-registry',
    Client: preparingClient(),
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  // The pool listens for errors of idle clients only. A client that is checked out when the
  // server goes away (between a query and its release, or while it connects) emits 'error' with
  // no listener, which would end the process. Its query fails on its own, and the pool drops
  // the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onIdleError?.(error));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    query: async <Row>(text: string, values: readonly unknown[]) =>
      (await pool.query(text, values as unknown[])).rows as Row[],
    isReady: (timeoutMs) => ping(db, timeoutMs),
    close: () => db.destroy(),
  };
}

async function openEmbedded(
  dataDir: string,
  options: OpenDatabaseOptions,
): Promise<DatabaseHandle> {
  const lock = acquireEmbeddedLock(dataDir, options.purpose);
  try {
    const pglite = new PGlite(path.join(dataDir, 'pgdata'));
    await pglite.waitReady;
    return wrapPGlite(pglite, 'embedded', () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Wraps an open PGlite instance (tests hand in one restored from a snapshot). */
export function wrapPGlite(
  pglite: PGlite,
  kind: DatabaseTarget['kind'] = 'embedded',
  onClose?: () => void,
): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind,
    query: async <Row>(text: string, values: readonly unknown[]) =>
      (await db.executeQuery<Row>(CompiledQuery.raw(text, [...values]))).rows as Row[],
    isReady: (timeoutMs) => ping(db, timeoutMs),
    async close() {
      try {
        await db.destroy();
      } finally {
        onClose?.();
      }
    },
  };
}

async function ping(db: Kysely<Database>, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const query = sql`SELECT 1`.execute(db).then(
      () => true,
      () => false,
    );
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
