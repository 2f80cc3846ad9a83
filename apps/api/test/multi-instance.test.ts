import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRunnerClient, type RunnerClient } from '@runner-registry/client';
import type { Runner, RunnerUpdateInput } from '@runner-registry/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenRepository } from '../src/auth/token-repository';
import type { DatabaseHandle } from '../src/db/database';
import {
  dialect,
  openTestDatabase,
  type StoredRunner,
  storedRunner,
  testCipher,
} from './support/harness';
import { type ServiceProcess, startService } from './support/processes';
import { serviceEnv } from './support/service-env';

type Field = 'name' | 'endpoint' | 'tags' | 'headers' | 'status';

/** The value a writer of `field` sends in its `k`-th update: distinct for every k. */
function valueFor(field: Field, k: number): RunnerUpdateInput[Field] {
  switch (field) {
    case 'name':
      return `name-${k}`;
    case 'endpoint':
      return `http://10.0.1.${k}:8188/`;
    case 'tags':
      return [`t-${k}`, `u-${k}`];
    case 'headers':
      return { 'X-Seq': String(k), Authorization: `Bearer s-${k}` };
    case 'status':
      return k % 2 === 0 ? 'disabled' : 'active';
  }
}

/** Stored form of a field, to compare a row with what was written. */
function storedValue(row: StoredRunner, field: Field): unknown {
  // Headers are stored encrypted; compare them as their owner reads them.
  return field === 'headers' ? testCipher.decrypt(row.id, row.headers) : row[field];
}

const WRITES_PER_WRITER = 30;

describe.skipIf(dialect !== 'postgres')(
  'two API processes on one Postgres (Postgres only: the embedded database belongs to a single process)',
  () => {
    let dataDir: string;
    let database: DatabaseHandle;
    let services: ServiceProcess[] = [];
    let token: string;

    beforeAll(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-instances-'));
      database = await openTestDatabase();
      token = (
        await createTokenRepository(database.db).createUser(
          `instances-${process.pid}-${Date.now()}@example.test`,
        )
      ).token;
      services = await Promise.all([
        startService(serviceEnv(dataDir)),
        startService(serviceEnv(dataDir)),
      ]);
    });
    afterAll(async () => {
      for (const service of services) service.child.kill('SIGTERM');
      await Promise.all(services.map((s) => s.exited));
      await database?.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    it('8 writers x 30 updates through both processes lose no update and touch no other field', async () => {
      const clients: RunnerClient[] = services.map((s) =>
        createRunnerClient({ url: s.url, token }),
      );
      const [first] = clients as [RunnerClient, RunnerClient];
      const make = (name: string) =>
        first.runner.create.mutate({
          name,
          endpoint: 'http://10.0.0.1:8188',
          headers: { 'X-Key': 'initial' },
          tags: ['initial'],
        });
      const [r1, r2, bystander] = [await make('r1'), await make('r2'), await make('bystander')];
      const initial = new Map<string, StoredRunner>();
      for (const r of [r1, r2, bystander]) {
        initial.set(r.id, (await storedRunner(database, r.id)) as StoredRunner);
      }

      // Each writer owns one field of one runner; r1's status and r2's endpoint have no writer.
      const writers: { runner: Runner; field: Field }[] = [
        ...(['name', 'endpoint', 'tags', 'headers'] as const).map((field) => ({
          runner: r1,
          field,
        })),
        ...(['name', 'tags', 'headers', 'status'] as const).map((field) => ({ runner: r2, field })),
      ];

      const lastWritten = new Map<string, unknown>();
      await Promise.all(
        writers.map(async ({ runner, field }, w) => {
          for (let k = 1; k <= WRITES_PER_WRITER; k++) {
            // Alternate processes on every update, and faces across writers.
            const service = services[k % 2] as ServiceProcess;
            const value = valueFor(field, k);
            let written: Runner;
            if (w % 2 === 0) {
              written = await (clients[k % 2] as RunnerClient).runner.update.mutate({
                id: runner.id,
                [field]: value,
              });
            } else {
              const response = await fetch(`${service.url}/v1/runner/${runner.id}`, {
                method: k % 4 < 2 ? 'PUT' : 'PATCH',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify({ [field]: value }),
              });
              expect(response.status).toBe(200);
              written = (await response.json()) as Runner;
            }
            // Read your write: the answer carries the value just sent.
            expect(written[field]).toEqual(value);
            lastWritten.set(`${runner.id}:${field}`, value);
          }
        }),
      );

      for (const runner of [r1, r2, bystander]) {
        const before = initial.get(runner.id) as StoredRunner;
        const after = (await storedRunner(database, runner.id)) as StoredRunner;
        for (const field of ['name', 'endpoint', 'tags', 'headers', 'status'] as const) {
          const key = `${runner.id}:${field}`;
          const expected = lastWritten.has(key) ? lastWritten.get(key) : storedValue(before, field);
          expect(storedValue(after, field), `${runner.name}.${field}`).toEqual(expected);
        }
        expect(after.created_at, runner.name).toEqual(before.created_at);
        expect(after.user_id, runner.name).toBe(before.user_id);
      }
      expect(await storedRunner(database, bystander.id)).toEqual(initial.get(bystander.id));
      expect(lastWritten.size).toBe(writers.length);
      for (const service of services) {
        expect(service.logs.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
      }
    });
  },
);
