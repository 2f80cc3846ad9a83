import { createRunnerClient, errorCode } from '@runner-registry/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenRepository } from '../src/auth/token-repository';
import { hashToken } from '../src/auth/tokens';
import type { TrpcErrorBody } from './support/harness';
import {
  dialect,
  startTestServer,
  storedRunner,
  type TestServer,
  type TestUser,
} from './support/harness';

describe(`authentication and ownership (${dialect})`, () => {
  let server: TestServer;
  let owner: TestUser;
  let runnerId: string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await server.newUser();
    runnerId = (
      await owner.client.runner.create.mutate({
        name: 'owned',
        endpoint: 'http://10.0.0.1:8188',
        headers: { 'X-Key': 'k' },
      })
    ).id;
  });
  afterAll(() => server?.close());

  const withToken = (token: string) => createRunnerClient({ url: server.url, token });

  it.each([
    ['an unknown token', `rr_${'A'.repeat(43)}`],
    ['a malformed token', 'not-a-token'],
    ['an empty token', ''],
  ])('answers UNAUTHORIZED for %s', async (_title, token) => {
    const error = await withToken(token)
      .runner.list.query({})
      .catch((e) => e);
    expect(errorCode(error)).toBe('UNAUTHORIZED');
  });

  it.each([
    ['no Authorization header', undefined],
    ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['a bare token without scheme', 'rr_x'],
  ])('answers 401 over HTTP for %s', async (_title, authorization) => {
    const response = await server.fetch('/trpc/runner.list', {
      headers: authorization ? { authorization } : {},
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as TrpcErrorBody;
    expect(body.error.data.code).toBe('UNAUTHORIZED');
  });

  it('answers UNAUTHORIZED for a revoked token and for an expired one', async () => {
    const tokens = createTokenRepository(server.database.db);
    const user = await server.newUser();
    expect(await tokens.revoke({ token: user.token })).toBe(true);
    expect(errorCode(await user.client.runner.list.query({}).catch((e) => e))).toBe('UNAUTHORIZED');

    const other = await server.newUser();
    await server.database.db
      .updateTable('api_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('token_hash', '=', hashToken(other.token))
      .execute();
    expect(errorCode(await other.client.runner.list.query({}).catch((e) => e))).toBe(
      'UNAUTHORIZED',
    );
  });

  it('stores only the SHA-256 of a token and records its last use', async () => {
    const user = await server.newUser();
    const row = await server.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(user.token));
    expect(JSON.stringify(row)).not.toContain(user.token);
    expect(row.last_used_at).toBeNull();
    expect(user.token).toMatch(/^rr_[A-Za-z0-9_-]{43}$/);

    await user.client.runner.list.query({});
    const used = await server.database.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).toBeInstanceOf(Date);
  });

  describe('another user’s runner is NOT_FOUND, exactly like a missing one, and stays unchanged', () => {
    let intruder: TestUser;
    beforeAll(async () => {
      intruder = await server.newUser();
    });

    it.each([
      ['get', () => intruder.client.runner.get.query({ id: runnerId })],
      ['update', () => intruder.client.runner.update.mutate({ id: runnerId, name: 'stolen' })],
      ['update with {}', () => intruder.client.runner.update.mutate({ id: runnerId })],
      ['delete', () => intruder.client.runner.delete.mutate({ id: runnerId })],
    ])('%s', async (_title, call) => {
      const before = await storedRunner(server.database, runnerId);
      const error = await call().catch((e) => e);
      expect(errorCode(error)).toBe('NOT_FOUND');
      expect(error.message).toBe('Runner not found');
      expect(await storedRunner(server.database, runnerId)).toEqual(before);
    });
  });

  it('honours a revocation within the token cache’s lifetime, and at once with the cache off', async () => {
    for (const ttlMs of [300, 0]) {
      const cached = await startTestServer({ authCacheTtlMs: ttlMs });
      try {
        const user = await cached.newUser();
        expect((await user.client.runner.list.query({})).total).toBe(0);
        await createTokenRepository(cached.database.db).revoke({ token: user.token });
        if (ttlMs > 0) await new Promise((resolve) => setTimeout(resolve, ttlMs + 50));
        const error = await user.client.runner.list.query({}).catch((e) => e);
        expect(errorCode(error), `ttl ${ttlMs}`).toBe('UNAUTHORIZED');
      } finally {
        await cached.close();
      }
    }
  });
});
