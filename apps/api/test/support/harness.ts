import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { createRunnerClient, type RunnerClient } from '@runner-registry/client';
import { sql } from 'kysely';
import type pino from 'pino';
import { inject } from 'vitest';
import { createTokenRepository } from '../../src/auth/token-repository';
import { type DatabaseHandle, openDatabase, wrapPGlite } from '../../src/db/database';
import { createLogger } from '../../src/log/logger';
import { createHeaderCipher } from '../../src/runners/header-cipher';
import type { OutboundOptions } from '../../src/runners/runner-http';
import { type RunningServer, startServer } from '../../src/server';
import type { ErrorData } from '../../src/trpc';

/** Which database this run uses: the embedded default, or Postgres when DATABASE_URL is set. */
export const dialect = inject('databaseUrl') ? 'postgres' : 'embedded';

export async function openTestDatabase(): Promise<DatabaseHandle> {
  const databaseUrl = inject('databaseUrl');
  if (databaseUrl) {
    return openDatabase({ kind: 'postgres', url: databaseUrl, poolMax: 10 }, { purpose: 'test' });
  }
  const snapshot = inject('pgliteSnapshot');
  if (!snapshot) throw new Error('global setup provided no database');
  const pglite = new PGlite({ loadDataDir: new Blob([await fs.readFile(snapshot)]) });
  await pglite.waitReady;
  return wrapPGlite(pglite);
}

export interface TestServer {
  readonly url: string;
  readonly database: DatabaseHandle;
  readonly server: RunningServer;
  /** A new user with a fresh token, and a client that calls as that user. */
  newUser(): Promise<TestUser>;
  /** Raw HTTP against the server, for what the typed client cannot send. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestUser {
  readonly userId: string;
  readonly token: string;
  readonly client: RunnerClient;
}

let userCounter = 0;

/** The key runner headers are encrypted with in tests: one per run, shared by every file. */
/** Outbound requests to runners in tests: short, small, and local addresses allowed (fakes). */
export const testOutbound: OutboundOptions = {
  timeoutMs: 1_000,
  maxResponseBytes: 64 * 1024,
  allowPrivateAddresses: true,
};

export const testHeaderKey = Buffer.from(inject('headerKey'), 'base64');
export const testCipher = createHeaderCipher(testHeaderKey);

/** A real HTTP server on an ephemeral port, on the run's database. */
export async function startTestServer(
  options: {
    logger?: pino.Logger;
    production?: boolean;
    outbound?: Partial<OutboundOptions>;
    authCacheTtlMs?: number;
    webDistDir?: string;
  } = {},
): Promise<TestServer> {
  const database = await openTestDatabase();
  const server = await startServer({
    database,
    logger: options.logger ?? createLogger('silent'),
    host: '127.0.0.1',
    port: 0,
    production: options.production ?? true,
    shutdownTimeoutMs: 5_000,
    outbound: { ...testOutbound, ...options.outbound },
    headerCipher: testCipher,
    authCacheTtlMs: options.authCacheTtlMs ?? 5_000,
    ...(options.webDistDir && { webDistDir: options.webDistDir }),
  });
  const tokens = createTokenRepository(database.db);
  return {
    url: server.url,
    database,
    server,
    async newUser() {
      userCounter += 1;
      const email = `user-${process.pid}-${Date.now()}-${userCounter}@example.test`;
      const issued = await tokens.createUser(email);
      return {
        userId: issued.userId,
        token: issued.token,
        client: createRunnerClient({ url: server.url, token: issued.token }),
      };
    },
    fetch: (path, init) => fetch(`${server.url}${path}`, init),
    async close() {
      await server.stop();
      await database.close();
    },
  };
}

/** The body of a tRPC error response, as raw HTTP callers see it. */
export interface TrpcErrorBody {
  readonly error: { readonly message: string; readonly data: ErrorData };
}

/** Runner rows exactly as stored, the headers' JSON text included. */
const storedRows = (database: DatabaseHandle) =>
  database.db
    .selectFrom('runners')
    .selectAll()
    .select(sql<string>`headers::text`.as('headers_text'));

/** The runner row as stored, for asserting that nothing changed. */
export async function storedRunner(database: DatabaseHandle, id: string) {
  return storedRows(database).where('id', '=', id).executeTakeFirst();
}

/** Every runner row of the given users as stored, by id, for asserting what changed and what did not. */
export async function storedRunnersOf(database: DatabaseHandle, userIds: readonly string[]) {
  const rows = await storedRows(database).where('user_id', 'in', userIds).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export type StoredRunner = NonNullable<Awaited<ReturnType<typeof storedRunner>>>;
