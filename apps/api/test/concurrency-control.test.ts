import { errorCode } from '@runner-registry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialect,
  startTestServer,
  storedRunner,
  type TestServer,
  type TestUser,
} from './support/harness';

describe(`optimistic concurrency (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
  });
  afterAll(() => server?.close());

  const newRunner = () =>
    user.client.runner.create.mutate({ name: 'occ', endpoint: 'http://10.0.0.1' });
  const put = (id: string, body: unknown, ifMatch?: string) =>
    server.fetch(`/v1/runner/${id}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        ...(ifMatch !== undefined && { 'if-match': ifMatch }),
      },
      body: JSON.stringify(body),
    });

  it('sends an ETag with GET and with every update, changing on each update', async () => {
    const runner = await newRunner();
    const got = await server.fetch(`/v1/runner/${runner.id}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const etag = got.headers.get('etag');
    expect(etag).toBe(`"${runner.updated_at}"`);
    const updated = await put(runner.id, { name: 'x' }, etag ?? '');
    expect(updated.status).toBe(200);
    const next = updated.headers.get('etag');
    expect(next).toBe(`"${((await updated.json()) as { updated_at: string }).updated_at}"`);
    expect(next).not.toBe(etag);
  });

  it('answers 412 to an If-Match that no longer matches, and writes nothing', async () => {
    const runner = await newRunner();
    const stale = `"${runner.updated_at}"`;
    expect((await put(runner.id, { name: 'first' }, stale)).status).toBe(200);
    const before = await storedRunner(server.database, runner.id);
    const response = await put(runner.id, { name: 'second' }, stale);
    expect(response.status).toBe(412);
    expect(await response.json()).toEqual({
      status: 412,
      message: 'The runner has changed since the ETag in If-Match; GET it again and retry',
      code: 'PRECONDITION_FAILED',
    });
    expect(await storedRunner(server.database, runner.id)).toEqual(before);
  });

  it.each(['W/"weak"', '"not-ours"', 'garbage'])(
    'never matches the If-Match %s',
    async (ifMatch) => {
      const runner = await newRunner();
      expect((await put(runner.id, { name: 'n' }, ifMatch)).status).toBe(412);
    },
  );

  it('applies an If-Match of * to any existing runner, and PATCH honours If-Match too', async () => {
    const runner = await newRunner();
    expect((await put(runner.id, { name: 'star' }, '*')).status).toBe(200);
    const patch = await server.fetch(`/v1/runner/${runner.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
        'if-match': `"${runner.updated_at}"`,
      },
      body: '{"name":"late"}',
    });
    expect(patch.status).toBe(412);
  });

  it('answers 404, not 412, for another user’s runner', async () => {
    const runner = await newRunner();
    const stranger = await server.newUser();
    const response = await server.fetch(`/v1/runner/${runner.id}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${stranger.token}`,
        'content-type': 'application/json',
        'if-match': '"2000-01-01T00:00:00.000Z"',
      },
      body: '{"name":"x"}',
    });
    expect(response.status).toBe(404);
  });

  it('takes expected_updated_at over tRPC: current applies, stale is CONFLICT and writes nothing', async () => {
    const runner = await newRunner();
    const first = await user.client.runner.update.mutate({
      id: runner.id,
      name: 'fresh',
      expected_updated_at: runner.updated_at,
    });
    expect(first.name).toBe('fresh');
    const before = await storedRunner(server.database, runner.id);
    const error = await user.client.runner.update
      .mutate({ id: runner.id, name: 'stale', expected_updated_at: runner.updated_at })
      .catch((e) => e);
    expect(errorCode(error)).toBe('CONFLICT');
    expect(error.data.httpStatus).toBe(409);
    expect(await storedRunner(server.database, runner.id)).toEqual(before);
  });

  it('lets exactly one of two racing conditional updates win', async () => {
    const runner = await newRunner();
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => put(runner.id, { name }, `"${runner.updated_at}"`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
  });
});
