import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log/logger';
import type { TrpcErrorBody } from './support/harness';
import { dialect, startTestServer, type TestServer, type TestUser } from './support/harness';

/** Collects the JSON log lines the server writes. */
function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe(`HTTP service (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  const logs = logCapture();

  beforeAll(async () => {
    server = await startTestServer({ logger: logs.logger });
    user = await server.newUser();
  });
  afterAll(() => server?.close());

  it('answers /healthz and /readyz with 200', async () => {
    const health = await server.fetch('/healthz');
    expect(health.status).toBe(200);
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await server.fetch('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      status: 404,
      message: 'No route for GET /nope',
      code: 'NOT_FOUND',
    });
  });

  it('refuses a body over 1 MiB with 413 and creates nothing', async () => {
    const response = await server.fetch('/trpc/runner.create', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'big',
        endpoint: 'http://x.example',
        pad: 'x'.repeat(1_100_000),
      }),
    });
    expect(response.status).toBe(413);
    expect((await user.client.runner.list.query({})).total).toBe(0);
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await server.fetch('/trpc/runner.create', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(response.status).toBe(400);
  });

  it('sends no stack trace in error bodies', async () => {
    const response = await server.fetch('/trpc/runner.get?input=%7B%22id%22%3A1%7D', {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/stack|\.ts:\d+|at [A-Za-z]+ \(/);
  });

  it('logs one structured line per request with id, route, status and latency, and no secrets', async () => {
    const secret = 'Bearer comfy-very-secret-value';
    await user.client.runner.create.mutate({
      name: 'logged',
      endpoint: 'http://10.0.0.9',
      headers: { Authorization: secret },
    });
    await server.fetch('/trpc/runner.list', { headers: { authorization: 'Bearer rr_bogus' } });
    const requests = logs.lines.map((line) => JSON.parse(line)).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(0);
    for (const entry of requests) {
      expect(entry).toMatchObject({
        request_id: expect.any(String),
        route: expect.any(String),
        status: expect.any(Number),
        latency_ms: expect.any(Number),
      });
    }
    expect(requests.some((l) => l.route === '/trpc/runner.create' && l.status === 200)).toBe(true);
    const all = logs.lines.join('\n');
    expect(all).not.toContain('comfy-very-secret-value');
    expect(all).not.toContain(user.token);
    expect(all).not.toContain('rr_bogus');
  });

  it('echoes a request id, or makes one', async () => {
    const given = await server.fetch('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await server.fetch('/healthz');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe(`when the database goes away (${dialect})`, () => {
  it('answers 503 with a generic message, /readyz says 503, /healthz stays 200', async () => {
    const server = await startTestServer();
    const user = await server.newUser();
    await server.database.close();

    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect((await server.fetch('/healthz')).status).toBe(200);

    const response = await server.fetch('/trpc/runner.list', {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as TrpcErrorBody;
    expect(body.error.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.error.message).toMatch(/^Service unavailable/);
    expect(JSON.stringify(body)).not.toMatch(/select|runners|api_tokens|pglite|pool/i);
    await server.server.stop();
  });
});
