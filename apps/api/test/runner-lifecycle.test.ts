import { errorCode, type RunnerClient } from '@runner-registry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_FIELDS } from './cases/runner-fields';
import { dialect, startTestServer, type TestServer } from './support/harness';

const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe(`runner lifecycle over tRPC (${dialect})`, () => {
  let server: TestServer;
  let client: RunnerClient;

  beforeAll(async () => {
    server = await startTestServer();
    ({ client } = await server.newUser());
  });
  afterAll(() => server?.close());

  it('creates an active runner with exactly the documented fields', async () => {
    const runner = await client.runner.create.mutate({
      name: 'gpu-box-1',
      endpoint: 'https://my-comfy.example.com',
      headers: { 'X-Api-Key': 'secret' },
      tags: ['gpu'],
    });
    expect(Object.keys(runner).sort()).toEqual([...RUNNER_FIELDS]);
    expect(runner).toMatchObject({
      name: 'gpu-box-1',
      status: 'active',
      endpoint: 'https://my-comfy.example.com',
      headers: { 'X-Api-Key': 'secret' },
      tags: ['gpu'],
    });
    expect(runner.created_at).toMatch(ISO_8601);
    expect(runner.updated_at).toBe(runner.created_at);
  });

  it('creates a runner without headers or tags as empty ones', async () => {
    const runner = await client.runner.create.mutate({
      name: 'bare',
      endpoint: 'http://127.0.0.1:8188',
    });
    expect(runner.headers).toEqual({});
    expect(runner.tags).toEqual([]);
  });

  it('refuses a create without a name or endpoint', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: sending what the types forbid
    const error = await client.runner.create.mutate({ name: 'x' } as any).catch((e) => e);
    expect(errorCode(error)).toBe('BAD_REQUEST');
    expect(error.message).toContain('endpoint');
  });

  it('gets a runner by id', async () => {
    const runner = await client.runner.create.mutate({ name: 'g', endpoint: 'http://10.0.0.1' });
    expect(await client.runner.get.query({ id: runner.id })).toEqual(runner);
  });

  it('deletes a runner, after which it is not found', async () => {
    const runner = await client.runner.create.mutate({ name: 'd', endpoint: 'http://10.0.0.2' });
    expect(await client.runner.delete.mutate({ id: runner.id })).toEqual(runner);
    const afterGet = await client.runner.get.query({ id: runner.id }).catch((e) => e);
    expect(errorCode(afterGet)).toBe('NOT_FOUND');
    const again = await client.runner.delete.mutate({ id: runner.id }).catch((e) => e);
    expect(errorCode(again)).toBe('NOT_FOUND');
  });

  describe('list', () => {
    let lister: RunnerClient;
    const created: string[] = [];

    beforeAll(async () => {
      ({ client: lister } = await server.newUser());
      const specs = [
        { tags: ['gpu', 'a100'], status: 'active' },
        { tags: ['gpu'], status: 'disabled' },
        { tags: ['cpu'], status: 'active' },
        { tags: [], status: 'active' },
        { tags: ['gpu', 'a100', 'sdxl'], status: 'disabled' },
      ] as const;
      for (const [i, spec] of specs.entries()) {
        const runner = await lister.runner.create.mutate({
          name: `r${i}`,
          endpoint: `http://10.1.0.${i}`,
          tags: [...spec.tags],
        });
        if (spec.status === 'disabled') {
          await lister.runner.update.mutate({ id: runner.id, status: 'disabled' });
        }
        created.push(runner.id);
      }
    });

    it('returns the newest first with the total of all matches', async () => {
      const page = await lister.runner.list.query({});
      expect(page.total).toBe(5);
      expect(page.runners.map((r) => r.id)).toEqual([...created].reverse());
    });

    it('pages through with page and per_page; total counts every match', async () => {
      const first = await lister.runner.list.query({ page: 1, per_page: 2 });
      const second = await lister.runner.list.query({ page: 2, per_page: 2 });
      const third = await lister.runner.list.query({ page: 3, per_page: 2 });
      expect([first.total, second.total, third.total]).toEqual([5, 5, 5]);
      expect([...first.runners, ...second.runners, ...third.runners].map((r) => r.id)).toEqual(
        [...created].reverse(),
      );
      expect(third.runners).toHaveLength(1);
    });

    it('answers an empty page past the end, still with the total', async () => {
      const page = await lister.runner.list.query({ page: 9, per_page: 10 });
      expect(page).toEqual({ runners: [], total: 5 });
    });

    it('filters by status', async () => {
      const page = await lister.runner.list.query({ status: 'disabled' });
      expect(page.total).toBe(2);
      expect(page.runners.every((r) => r.status === 'disabled')).toBe(true);
    });

    it('filters by tags, keeping runners that carry all of them', async () => {
      const page = await lister.runner.list.query({ tags: ['gpu', 'a100'] });
      expect(page.runners.map((r) => r.name).sort()).toEqual(['r0', 'r4']);
      expect(page.total).toBe(2);
      const both = await lister.runner.list.query({ tags: ['gpu'], status: 'active' });
      expect(both.runners.map((r) => r.name)).toEqual(['r0']);
    });

    it('shows only the caller’s own runners', async () => {
      const { client: stranger } = await server.newUser();
      expect(await stranger.runner.list.query({})).toEqual({ runners: [], total: 0 });
    });

    it.each([
      { input: { page: 0 }, field: 'page' },
      { input: { page: 1.5 }, field: 'page' },
      { input: { per_page: 0 }, field: 'per_page' },
      { input: { per_page: 101 }, field: 'per_page' },
      { input: { status: 'paused' }, field: 'status' },
    ])('refuses $field out of range ($input)', async ({ input, field }) => {
      // biome-ignore lint/suspicious/noExplicitAny: sending what the types forbid
      const error = await lister.runner.list.query(input as any).catch((e) => e);
      expect(errorCode(error)).toBe('BAD_REQUEST');
      expect(error.message).toContain(field);
    });

    it('accepts per_page 100', async () => {
      expect((await lister.runner.list.query({ per_page: 100 })).runners).toHaveLength(5);
    });
  });
});
