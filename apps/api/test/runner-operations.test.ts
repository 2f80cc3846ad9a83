import { Writable } from 'node:stream';
import { errorCode, type RunnerClient } from '@runner-registry/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log/logger';
import {
  closedPort,
  type FakeComfyUI,
  SYSTEM_STATS,
  startFakeComfyUI,
} from './support/fake-comfyui';
import { dialect, startTestServer, type TestServer, type TestUser } from './support/harness';

const SECRET = 'Bearer comfy-top-secret-4711';

describe(`selection by tags (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  let client: RunnerClient;

  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
    client = user.client;
  });
  afterAll(() => server?.close());

  async function fleet(specs: { tags: string[]; disabled?: boolean }[]) {
    const owner = await server.newUser();
    const ids: string[] = [];
    for (const [i, spec] of specs.entries()) {
      const runner = await owner.client.runner.create.mutate({
        name: `r${i}`,
        endpoint: `http://10.2.0.${i}`,
        tags: spec.tags,
      });
      if (spec.disabled)
        await owner.client.runner.update.mutate({ id: runner.id, status: 'disabled' });
      ids.push(runner.id);
    }
    return { owner, ids };
  }

  it('never picks a disabled runner', async () => {
    const { owner } = await fleet([{ tags: ['gpu'], disabled: true }]);
    const error = await owner.client.runner.select.mutate({ tags: ['gpu'] }).catch((e) => e);
    expect(errorCode(error)).toBe('NOT_FOUND');
    expect(error.message).toBe('No active runner carries all of the tags: gpu');
  });

  it('picks a runner that carries all requested tags, not one that carries some', async () => {
    const { owner, ids } = await fleet([{ tags: ['gpu'] }, { tags: ['gpu', 'a100', 'sdxl'] }]);
    for (let i = 0; i < 10; i++) {
      const picked = await owner.client.runner.select.mutate({ tags: ['a100', 'gpu'] });
      expect(picked.id).toBe(ids[1]);
    }
  });

  it('treats a runner without tags as a wildcard', async () => {
    const { owner, ids } = await fleet([{ tags: [] }, { tags: ['cpu'] }]);
    expect((await owner.client.runner.select.mutate({ tags: ['h100'] })).id).toBe(ids[0]);
  });

  it('answers 404 with a clear message when nothing qualifies, on both faces', async () => {
    const { owner } = await fleet([{ tags: ['cpu'] }]);
    const error = await owner.client.runner.select.mutate({ tags: ['gpu'] }).catch((e) => e);
    expect(errorCode(error)).toBe('NOT_FOUND');
    const response = await server.fetch('/v1/runner/select', {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tags: ['gpu'] }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      status: 404,
      message: 'No active runner carries all of the tags: gpu',
      code: 'NOT_FOUND',
    });
  });

  it('chooses among qualifying runners at random: over many picks each is chosen', async () => {
    const { owner, ids } = await fleet([
      { tags: ['gpu'] },
      { tags: ['gpu', 'a100'] },
      { tags: [] },
      { tags: ['cpu'] },
      { tags: ['gpu'], disabled: true },
    ]);
    const counts = new Map<string, number>();
    for (let i = 0; i < 90; i++) {
      const picked = await owner.client.runner.select.mutate({ tags: ['gpu'] });
      counts.set(picked.id, (counts.get(picked.id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    // Uniform: each of three gets about 30 of 90; 10 is far below any plausible draw.
    for (const count of counts.values()) expect(count).toBeGreaterThan(10);
  });

  it('picks over REST too, and never another user’s runner', async () => {
    const { owner, ids } = await fleet([{ tags: ['gpu'] }]);
    const response = await server.fetch('/v1/runner/select', {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tags: ['gpu'] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(ids[0]);
    const error = await client.runner.select.mutate({ tags: ['gpu'] }).catch((e) => e);
    expect(errorCode(error)).toBe('NOT_FOUND');
  });

  it('refuses bad tags with 400', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: sending what the types forbid
    const error = await client.runner.select.mutate({ tags: 'gpu' } as any).catch((e) => e);
    expect(errorCode(error)).toBe('BAD_REQUEST');
    expect(error.message).toContain('tags');
  });
});

describe(`health check and interrupt against a fake ComfyUI (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  let fake: FakeComfyUI;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    server = await startTestServer({ logger: createLogger('debug', sink) });
    user = await server.newUser();
    fake = await startFakeComfyUI();
  });
  afterEach(() => {
    fake.behaviour = 'comfyui';
    fake.requests.length = 0;
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    // No request, error or log line ever carried a runner's header value.
    expect(logLines.join('')).not.toContain('comfy-top-secret');
  });

  const runnerAt = (endpoint: string) =>
    user.client.runner.create.mutate({
      name: 'comfy',
      endpoint,
      headers: { Authorization: SECRET, 'X-Region': 'eu' },
    });

  it('reports ComfyUI’s versions and devices, calling /system_stats with the stored headers', async () => {
    const runner = await runnerAt(`${fake.url}/comfy`);
    const health = await user.client.runner.check.mutate({ id: runner.id });
    expect(health).toEqual({
      reachable: true,
      latency_ms: expect.any(Number),
      checked_at: expect.stringMatching(/Z$/),
      comfyui_version: '0.3.26',
      python_version: SYSTEM_STATS.system.python_version,
      pytorch_version: '2.6.0+cu124',
      devices: [
        {
          name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
          type: 'cuda',
          vram_total: 25_393_692_672,
          vram_free: 24_117_248_000,
        },
      ],
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: '/comfy/system_stats',
      headers: { authorization: SECRET, 'x-region': 'eu' },
    });
  });

  it('answers the same over REST', async () => {
    const runner = await runnerAt(fake.url);
    const response = await server.fetch(`/v1/runner/${runner.id}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ reachable: true, comfyui_version: '0.3.26' });
    expect(fake.requests[0]?.path).toBe('/system_stats');
  });

  it.each([
    ['a runner that answers 500', 'error-500', /^answered HTTP 500$/],
    ['a runner that is not ComfyUI', 'not-comfyui', /not ComfyUI/],
    ['a runner that answers too much', 'huge', /larger than/],
    ['a runner that is too slow', 'slow', /^timed out after 1000 ms$/],
  ] as const)('reports %s as unreachable with a short error', async (_title, behaviour, error) => {
    fake.behaviour = behaviour;
    const runner = await runnerAt(fake.url);
    const health = await user.client.runner.check.mutate({ id: runner.id });
    expect(health).toMatchObject({ reachable: false, devices: [], comfyui_version: null });
    expect(health.error).toMatch(error);
    expect(JSON.stringify(health)).not.toContain('comfy-top-secret');
  });

  it('reports a runner nobody listens on as unreachable', async () => {
    const runner = await runnerAt(`http://127.0.0.1:${await closedPort()}`);
    const health = await user.client.runner.check.mutate({ id: runner.id });
    expect(health).toMatchObject({
      reachable: false,
      error: 'connection refused',
      latency_ms: null,
    });
  });

  it('never follows a redirect, so the headers never reach another origin', async () => {
    const elsewhere = await startFakeComfyUI();
    try {
      fake.behaviour = { redirectTo: elsewhere.url };
      const runner = await runnerAt(fake.url);
      const health = await user.client.runner.check.mutate({ id: runner.id });
      expect(health).toMatchObject({ reachable: false });
      expect(health.error).toMatch(/redirect/);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('interrupts with POST {endpoint}/interrupt and the stored headers', async () => {
    const runner = await runnerAt(`${fake.url}/comfy/`);
    expect(await user.client.runner.interrupt.mutate({ id: runner.id })).toEqual({
      interrupted: true,
    });
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/comfy/interrupt',
        headers: expect.objectContaining({ authorization: SECRET }),
      }),
    ]);
  });

  it('answers 502 {status, message} when the runner cannot be reached or refuses', async () => {
    const gone = await runnerAt(`http://127.0.0.1:${await closedPort()}`);
    const response = await server.fetch(`/v1/runner/${gone.id}/interrupt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      status: 502,
      message: 'Runner unreachable: connection refused',
      code: 'BAD_GATEWAY',
    });

    fake.behaviour = 'error-500';
    const refusing = await runnerAt(fake.url);
    const error = await user.client.runner.interrupt.mutate({ id: refusing.id }).catch((e) => e);
    expect(errorCode(error)).toBe('BAD_GATEWAY');
    expect(error.message).toBe('Runner answered HTTP 500');
  });

  it('answers 404 for another user’s runner and 401 without a token, calling nobody', async () => {
    const runner = await runnerAt(fake.url);
    const stranger = await server.newUser();
    for (const call of [
      () => stranger.client.runner.check.mutate({ id: runner.id }),
      () => stranger.client.runner.interrupt.mutate({ id: runner.id }),
    ]) {
      expect(errorCode(await call().catch((e) => e))).toBe('NOT_FOUND');
    }
    const anonymous = await server.fetch(`/v1/runner/${runner.id}/check`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });
});

describe(`with private addresses denied (${dialect})`, () => {
  let server: TestServer;
  let fake: FakeComfyUI;
  beforeAll(async () => {
    server = await startTestServer({ outbound: { allowPrivateAddresses: false } });
    fake = await startFakeComfyUI();
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it.each(['127.0.0.1', 'localhost'])('refuses to call a runner at %s', async (host) => {
    const { client } = await server.newUser();
    const port = new URL(fake.url).port;
    const runner = await client.runner.create.mutate({
      name: 'local',
      endpoint: `http://${host}:${port}`,
    });
    const health = await client.runner.check.mutate({ id: runner.id });
    expect(health).toMatchObject({ reachable: false, error: 'private addresses are not allowed' });
    expect(fake.requests).toHaveLength(0);
  });
});
