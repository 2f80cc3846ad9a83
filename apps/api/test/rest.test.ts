import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dialect,
  startTestServer,
  storedRunner,
  type TestServer,
  type TestUser,
} from './support/harness';

/** A JSON response body, loosely typed: these tests assert its shape themselves. */
// biome-ignore lint/suspicious/noExplicitAny: see above
const json = (response: Response): Promise<any> => response.json();

describe(`REST specifics (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  let auth: { authorization: string };
  let runnerId: string;

  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
    auth = { authorization: `Bearer ${user.token}` };
    runnerId = (
      await user.client.runner.create.mutate({
        name: 'rest',
        endpoint: 'http://10.0.0.1:8188',
        tags: ['gpu', 'a100'],
      })
    ).id;
  });
  afterAll(() => server?.close());

  const send = (method: string, path: string, body?: string, contentType = 'application/json') =>
    server.fetch(path, {
      method,
      headers: { ...auth, ...(body !== undefined && { 'content-type': contentType }) },
      body,
    });

  it('creates with 201, a Location header and the runner', async () => {
    const response = await send(
      'POST',
      '/v1/runner',
      JSON.stringify({ name: 'n', endpoint: 'http://a.example' }),
    );
    expect(response.status).toBe(201);
    const runner = await json(response);
    expect(response.headers.get('location')).toBe(`/v1/runner/${runner.id}`);
    expect(runner).toMatchObject({ name: 'n', status: 'active', tags: [], headers: {} });
  });

  it('deletes with 204 and no body', async () => {
    const { id } = await user.client.runner.create.mutate({
      name: 'gone',
      endpoint: 'http://a.example',
    });
    const response = await send('DELETE', `/v1/runner/${id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect((await send('GET', `/v1/runner/${id}`)).status).toBe(404);
  });

  it('accepts application/json with a charset parameter', async () => {
    const response = await send(
      'PUT',
      `/v1/runner/${runnerId}`,
      JSON.stringify({ name: 'charset' }),
      'application/json; charset=utf-8',
    );
    expect(response.status).toBe(200);
    expect((await json(response)).name).toBe('charset');
  });

  it('answers PATCH exactly like PUT', async () => {
    const response = await send(
      'PATCH',
      `/v1/runner/${runnerId}`,
      JSON.stringify({ tags: ['h100'] }),
    );
    expect(response.status).toBe(200);
    expect((await json(response)).tags).toEqual(['h100']);
  });

  it('treats a PUT without a body as {}', async () => {
    const before = await storedRunner(server.database, runnerId);
    const response = await send('PUT', `/v1/runner/${runnerId}`);
    expect(response.status).toBe(200);
    const runner = await json(response);
    expect(runner.name).toBe(before?.name);
    expect(Date.parse(runner.updated_at)).toBeGreaterThan(before?.updated_at.getTime() ?? 0);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a JSON look-alike', 'application/jsonx'],
  ])('refuses %s with 415 and changes nothing', async (_title, type) => {
    const before = await storedRunner(server.database, runnerId);
    const response = await send('PUT', `/v1/runner/${runnerId}`, '{"name":"x"}', type);
    expect(response.status).toBe(415);
    expect(await json(response)).toEqual({
      status: 415,
      message: 'Content-Type must be application/json',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(await storedRunner(server.database, runnerId)).toEqual(before);
  });

  it('refuses a body without a Content-Type with 415', async () => {
    const response = await server.fetch(`/v1/runner/${runnerId}`, {
      method: 'PUT',
      headers: auth,
      body: new Uint8Array(Buffer.from('{"name":"x"}')),
    });
    expect(response.status).toBe(415);
  });

  it.each([
    ['malformed JSON', '{"name": '],
    ['a JSON array', '["name"]'],
    ['a JSON string', '"name"'],
    ['JSON null', 'null'],
  ])('refuses %s with 400 and changes nothing', async (_title, body) => {
    const before = await storedRunner(server.database, runnerId);
    const response = await send('PUT', `/v1/runner/${runnerId}`, body);
    expect(response.status).toBe(400);
    const error = await json(response);
    expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(error.message).toMatch(/JSON/);
    expect(await storedRunner(server.database, runnerId)).toEqual(before);
  });

  it('refuses a body over 1 MiB with 413 and changes nothing', async () => {
    const before = await storedRunner(server.database, runnerId);
    const body = JSON.stringify({ name: 'big', headers: { 'X-Pad': 'x'.repeat(1024 * 1024) } });
    const response = await send('PUT', `/v1/runner/${runnerId}`, body);
    expect(response.status).toBe(413);
    expect(await json(response)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await storedRunner(server.database, runnerId)).toEqual(before);
  });

  it('refuses an id in the body that differs from the path', async () => {
    const response = await send(
      'PUT',
      `/v1/runner/${runnerId}`,
      JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', name: 'x' }),
    );
    expect(response.status).toBe(400);
    expect((await json(response)).message).toContain('id');
  });

  it('refuses a __proto__ key instead of dropping it', async () => {
    const response = await send('PUT', `/v1/runner/${runnerId}`, '{"__proto__": {"name": "x"}}');
    expect(response.status).toBe(400);
    expect((await json(response)).message).toContain('__proto__');
  });

  it('takes list tags as repeated parameters or comma-separated', async () => {
    const { id } = await user.client.runner.create.mutate({
      name: 'tagged',
      endpoint: 'http://a.example',
      tags: ['sdxl', 'flux'],
    });
    for (const query of ['tags=sdxl&tags=flux', 'tags=sdxl,flux', 'tags=flux']) {
      const page = await json(await send('GET', `/v1/runner?${query}`));
      expect(
        page.runners.map((r: { id: string }) => r.id),
        query,
      ).toEqual([id]);
    }
    const none = await json(await send('GET', '/v1/runner?tags=sdxl,nope'));
    expect(none).toEqual({ runners: [], total: 0 });
  });

  it.each(['page=abc', 'page=1e3', 'per_page=-1', 'page=1&page=2', 'sort=name'])(
    'refuses the list query %s with 400',
    async (query) => {
      const response = await send('GET', `/v1/runner?${query}`);
      expect(response.status).toBe(400);
      expect((await json(response)).code).toBe('BAD_REQUEST');
    },
  );

  it('answers another method on a known path with 405 and Allow', async () => {
    const response = await send('POST', `/v1/runner/${runnerId}`, '{}');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
    expect((await json(response)).status).toBe(405);
  });

  it('answers an unknown path with 404 in the error shape', async () => {
    const response = await send('GET', '/v1/runners');
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({
      status: 404,
      message: 'No route for GET /v1/runners',
      code: 'NOT_FOUND',
    });
  });

  it('answers 401 before reading anything of a runner', async () => {
    const response = await server.fetch(`/v1/runner/${runnerId}`);
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({
      status: 401,
      message: 'Missing API token: send "Authorization: Bearer <token>"',
      code: 'UNAUTHORIZED',
    });
  });
});
