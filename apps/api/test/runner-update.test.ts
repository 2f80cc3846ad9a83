import { errorCode, type RunnerClient, type TRPCClientError } from '@runner-registry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestServer, type TestServer } from './support/harness';

const original = {
  name: 'gpu-box-1',
  endpoint: 'http://192.168.1.100:8188',
  headers: { Authorization: 'Bearer comfy-secret', 'X-Region': 'eu' },
  tags: ['gpu', 'a100'],
};

describe(`runner.update over tRPC (${dialect})`, () => {
  let server: TestServer;
  let client: RunnerClient;

  beforeAll(async () => {
    server = await startTestServer();
    ({ client } = await server.newUser());
  });
  afterAll(() => server?.close());

  const newRunner = () => client.runner.create.mutate(original);

  it('changes only the given field and keeps every omitted one', async () => {
    const runner = await newRunner();
    const updated = await client.runner.update.mutate({ id: runner.id, name: 'renamed' });
    expect(updated).toEqual({ ...runner, name: 'renamed', updated_at: updated.updated_at });
    expect(await client.runner.get.query({ id: runner.id })).toEqual(updated);
  });

  it('treats {} as a valid no-op that still moves updated_at', async () => {
    const runner = await newRunner();
    const updated = await client.runner.update.mutate({ id: runner.id });
    expect({ ...updated, updated_at: runner.updated_at }).toEqual(runner);
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(runner.updated_at));
  });

  it('replaces tags as a whole and [] clears them', async () => {
    const runner = await newRunner();
    const replaced = await client.runner.update.mutate({ id: runner.id, tags: ['h100'] });
    expect(replaced.tags).toEqual(['h100']);
    const cleared = await client.runner.update.mutate({ id: runner.id, tags: [] });
    expect(cleared.tags).toEqual([]);
    expect((await client.runner.get.query({ id: runner.id })).tags).toEqual([]);
  });

  it('replaces headers as a whole and never merges them', async () => {
    const runner = await newRunner();
    const updated = await client.runner.update.mutate({
      id: runner.id,
      headers: { 'X-Api-Key': 'k2' },
    });
    expect(updated.headers).toEqual({ 'X-Api-Key': 'k2' });
    const cleared = await client.runner.update.mutate({ id: runner.id, headers: {} });
    expect(cleared.headers).toEqual({});
  });

  it('updates every field at once', async () => {
    const runner = await newRunner();
    const changes = {
      name: 'everything',
      endpoint: 'https://my-comfy.example.com/comfy',
      headers: { Cookie: 'session=1' },
      tags: ['sdxl'],
      status: 'disabled' as const,
    };
    const updated = await client.runner.update.mutate({ id: runner.id, ...changes });
    expect(updated).toMatchObject(changes);
    expect(updated.created_at).toBe(runner.created_at);
  });

  it('moves updated_at forward on every update and never changes created_at', async () => {
    const runner = await newRunner();
    let previous = runner.updated_at;
    for (let i = 0; i < 5; i++) {
      const updated = await client.runner.update.mutate({ id: runner.id, name: `n${i}` });
      expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(previous));
      expect(updated.created_at).toBe(runner.created_at);
      previous = updated.updated_at;
    }
  });

  it('takes a runner out of scheduling with status disabled and back with active', async () => {
    const runner = await newRunner();
    expect(runner.status).toBe('active');
    expect((await client.runner.update.mutate({ id: runner.id, status: 'disabled' })).status).toBe(
      'disabled',
    );
    expect((await client.runner.update.mutate({ id: runner.id, status: 'active' })).status).toBe(
      'active',
    );
  });

  it('accepts the boundaries of every rule', async () => {
    const runner = await newRunner();
    const updated = await client.runner.update.mutate({
      id: runner.id,
      name: '🦊'.repeat(100),
      endpoint: 'http://127.0.0.1:8188',
      tags: Array.from({ length: 10 }, (_, i) => `${'t'.repeat(63)}${i}`),
      headers: Object.fromEntries(
        Array.from({ length: 32 }, (_, i) => [`X-H${i}`, 'v'.repeat(4096)]),
      ),
    });
    expect([...updated.name]).toHaveLength(100);
    expect(updated.tags).toHaveLength(10);
    expect(Object.keys(updated.headers)).toHaveLength(32);
  });

  it('answers NOT_FOUND for a runner that does not exist', async () => {
    const error = await client.runner.update
      .mutate({ id: '00000000-0000-4000-8000-000000000000', name: 'x' })
      .catch((e: unknown) => e);
    expect(errorCode(error)).toBe('NOT_FOUND');
    expect((error as TRPCClientError<never>).message).toBe('Runner not found');
  });

  it('answers BAD_REQUEST for an id that is not a UUID', async () => {
    const error = await client.runner.update
      .mutate({ id: 'not-a-uuid', name: 'x' })
      .catch((e: unknown) => e);
    expect(errorCode(error)).toBe('BAD_REQUEST');
    expect((error as Error).message).toContain('id');
  });

  it('loses no update when clients change different fields at once', async () => {
    const runner = await newRunner();
    const rounds = 25;
    const writers = {
      name: (i: number) => ({ name: `name-${i}` }),
      endpoint: (i: number) => ({ endpoint: `http://10.0.0.${i}:8188` }),
      tags: (i: number) => ({ tags: [`tag-${i}`] }),
      headers: (i: number) => ({ headers: { 'X-Round': String(i) } }),
      status: (i: number) => ({
        status: i % 2 === 0 ? ('active' as const) : ('disabled' as const),
      }),
    };
    // Each field has one writer that updates it in sequence; the writers run concurrently.
    await Promise.all(
      Object.values(writers).map(async (write) => {
        for (let i = 0; i < rounds; i++) {
          await client.runner.update.mutate({ id: runner.id, ...write(i) });
        }
      }),
    );
    const last = rounds - 1;
    const final = await client.runner.get.query({ id: runner.id });
    expect(final).toMatchObject({
      ...writers.name(last),
      ...writers.endpoint(last),
      ...writers.tags(last),
      ...writers.headers(last),
      ...writers.status(last),
      created_at: runner.created_at,
    });
  });
});
