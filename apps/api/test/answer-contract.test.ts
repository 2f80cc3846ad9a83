import { errorCode } from '@runner-registry/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestServer, type TestServer, type TestUser } from './support/harness';

// The database's own constraints are looser than the contract (a name's length, not its
// characters). A row that breaks the contract, written by hand or by a bug, must never reach
// a caller as if it were a runner.
describe(`answers are checked against the contract (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  let id: string;

  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
    id = (await user.client.runner.create.mutate({ name: 'fine', endpoint: 'http://10.0.0.1' })).id;
    await sql`UPDATE runners SET name = ${'bell\u0007runner'} WHERE id = ${id}`.execute(
      server.database.db,
    );
  });
  afterAll(() => server?.close());

  it('tRPC: a 500 with the generic message, not the row', async () => {
    const error = await user.client.runner.get.query({ id }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('INTERNAL_SERVER_ERROR');
    expect((error as Error).message).toBe('Internal server error');
    const list = await user.client.runner.list.query({}).catch((e: unknown) => e);
    expect(errorCode(list)).toBe('INTERNAL_SERVER_ERROR');
  });

  it('REST: a 500 with the generic body, not the row', async () => {
    const response = await server.fetch(`/v1/runner/${id}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      status: 500,
      message: 'Internal server error',
      code: 'INTERNAL_SERVER_ERROR',
    });
    expect(text).not.toContain('bell');
  });
});
