import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRestClient } from '@runner-registry/openapi-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestServer, type TestServer, type TestUser } from './support/harness';

const CLIENT_DIR = path.resolve(import.meta.dirname, '../../../packages/openapi-client');

describe('the generated client is current', () => {
  it('matches what openapi-typescript makes of the committed document', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-client-')), 'schema.ts');
    execFileSync(
      path.join(CLIENT_DIR, 'node_modules/.bin/openapi-typescript'),
      ['../../apps/api/openapi.json', '--output', out],
      { cwd: CLIENT_DIR, stdio: 'pipe' },
    );
    const committed = fs.readFileSync(path.join(CLIENT_DIR, 'src/schema.ts'), 'utf8');
    expect(
      committed === fs.readFileSync(out, 'utf8'),
      'packages/openapi-client/src/schema.ts is stale: run `pnpm openapi` and commit the result',
    ).toBe(true);
  });
});

describe(`the generated OpenAPI client against a running server (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
  });
  afterAll(() => server?.close());

  it('goes through the whole runner lifecycle', async () => {
    const api = createRestClient({ baseUrl: server.url, token: user.token });

    const created = await api.POST('/v1/runner', {
      body: {
        name: 'external',
        endpoint: 'https://comfy.example.com',
        headers: { 'X-Api-Key': 'k' },
        tags: ['gpu'],
      },
    });
    expect(created.response.status).toBe(201);
    const runner = created.data;
    if (!runner) throw new Error('no runner created');
    expect(runner).toMatchObject({ name: 'external', status: 'active', tags: ['gpu'] });

    const got = await api.GET('/v1/runner/{id}', { params: { path: { id: runner.id } } });
    expect(got.data).toEqual(runner);

    const updated = await api.PUT('/v1/runner/{id}', {
      params: { path: { id: runner.id } },
      body: { tags: [], status: 'disabled' },
    });
    expect(updated.data).toMatchObject({ tags: [], status: 'disabled', name: 'external' });

    const patched = await api.PATCH('/v1/runner/{id}', {
      params: { path: { id: runner.id } },
      body: { name: 'patched' },
    });
    expect(patched.data?.name).toBe('patched');

    const listed = await api.GET('/v1/runner', {
      params: { query: { status: 'disabled', per_page: 5 } },
    });
    expect(listed.data).toEqual({ runners: [patched.data], total: 1 });

    const deleted = await api.DELETE('/v1/runner/{id}', { params: { path: { id: runner.id } } });
    expect(deleted.response.status).toBe(204);

    const gone = await api.GET('/v1/runner/{id}', { params: { path: { id: runner.id } } });
    expect(gone.response.status).toBe(404);
    expect(gone.error).toEqual({ status: 404, message: 'Runner not found', code: 'NOT_FOUND' });
  });

  it('reports 400 with the failing fields, and 401 without a valid token', async () => {
    const api = createRestClient({ baseUrl: server.url, token: user.token });
    const bad = await api.POST('/v1/runner', {
      body: { name: '', endpoint: 'ftp://x.example' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.issues?.map((issue) => issue.path)).toEqual([['name'], ['endpoint']]);

    const anonymous = createRestClient({ baseUrl: server.url });
    const denied = await anonymous.GET('/v1/runner', {});
    expect(denied.response.status).toBe(401);
    expect(denied.error?.code).toBe('UNAUTHORIZED');
  });
});
