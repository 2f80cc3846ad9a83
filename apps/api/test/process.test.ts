import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRunnerClient } from '@runner-registry/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect } from './support/harness';
import { runAdmin, startService } from './support/processes';
import { serviceEnv } from './support/service-env';

describe(`the service process and the admin CLI (${dialect})`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-process-'));
    env = serviceEnv(dataDir);
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  const email = `cli-${Date.now()}@example.test`;
  let token: string;

  it('create-user prints exactly one JSON line with user_id and token', async () => {
    const result = await runAdmin(['create-user', '--email', email], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0] as string);
    expect(Object.keys(output).sort()).toEqual(['token', 'user_id']);
    expect(output.token).toMatch(/^rr_[A-Za-z0-9_-]{43}$/);
    token = output.token;
  });

  it('refuses a second user with the same email, and bad arguments, with clear messages', async () => {
    const duplicate = await runAdmin(['create-user', '--email', email.toUpperCase()], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('exists already');
    expect(duplicate.stdout).toBe('');
    const bad = await runAdmin(['create-token', '--email', email, '--expires-in', 'soon'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expires-in');
  });

  it('serves, answers the token, and on SIGTERM finishes in-flight requests and exits 0', async () => {
    const service = await startService(env);
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const client = createRunnerClient({ url: service.url, token });
      const runner = await client.runner.create.mutate({ name: 'p', endpoint: 'http://10.0.0.1' });

      if (dialect === 'embedded') {
        const busy = await runAdmin(['create-token', '--email', email], env);
        expect(busy.code).toBe(1);
        expect(busy.stderr).toMatch(/in use by the server .*Stop the server/s);
      }

      const inFlight = Array.from({ length: 20 }, (_, i) =>
        client.runner.update.mutate({ id: runner.id, name: `n${i}` }),
      );
      // The batch is on the wire when SIGTERM arrives; it must still be answered in full.
      await new Promise((resolve) => setTimeout(resolve, 20));
      service.child.kill('SIGTERM');
      const results = await Promise.allSettled(inFlight);
      expect(results.map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));
      expect(await service.exited).toBe(0);
      // Log lines are written in batches; none may be lost when the process exits.
      const messages = service.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(messages.at(-1)?.msg).toBe('stopped');
      const requests = messages.filter((m) => m.msg === 'request');
      expect(requests.map((m) => [m.method, m.route, m.status])).toEqual(
        expect.arrayContaining([
          ['GET', '/healthz', 200],
          ['POST', '/trpc/runner.create', 200],
        ]),
      );
      const updates = requests.filter((m) => String(m.route).startsWith('/trpc/runner.update'));
      expect(updates.length).toBeGreaterThan(0);
      expect(updates.every((m) => m.status === 200)).toBe(true);
      await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    } finally {
      service.child.kill('SIGKILL');
    }
  });

  it('create-token and revoke-token work once the server has stopped', async () => {
    const created = await runAdmin(['create-token', '--email', email, '--expires-in', '30d'], env);
    expect(created.code).toBe(0);
    const issued = JSON.parse(created.stdout);
    expect(Date.parse(issued.expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const revoked = await runAdmin(['revoke-token', '--token', issued.token], env);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: true });

    const service = await startService(env);
    try {
      const client = createRunnerClient({ url: service.url, token: issued.token });
      await expect(client.runner.list.query({})).rejects.toMatchObject({
        data: { code: 'UNAUTHORIZED' },
      });
      const first = createRunnerClient({ url: service.url, token });
      expect((await first.runner.list.query({})).total).toBe(1);
    } finally {
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    }
  });

  it('refuses to start with a clear message when configuration is invalid', async () => {
    const started = startService({ ...env, PORT: 'eighty' });
    await expect(started).rejects.toThrow(
      /exited with 1: Invalid configuration:\s+PORT: must be a port number/,
    );
  });
});
