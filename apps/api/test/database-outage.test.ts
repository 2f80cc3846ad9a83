import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenRepository } from '../src/auth/token-repository';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { dialect } from './support/harness';
import { createTestDatabase } from './support/postgres-admin';
import { createPostgresCluster, type PostgresCluster } from './support/postgres-cluster';
import { type ServiceProcess, startService } from './support/processes';
import { serviceEnv } from './support/service-env';
import { readAnswer, type Wire } from './support/wire';

/** One answer the load loop got: when it was sent and received, and what it said. */
interface Observed {
  readonly request: string;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly status: number;
  readonly body?: unknown;
  /** Set when there was no well-formed answer at all. */
  readonly failure?: string;
}

const OUTAGE_MS = 2_500;

describe.skipIf(dialect !== 'postgres')(
  'when the database goes down under load and comes back (Postgres only: needs a server it can stop)',
  () => {
    let cluster: PostgresCluster | undefined;
    let service: ServiceProcess | undefined;
    let dataDir: string;
    let token: string;
    let runnerId: string;

    beforeAll(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-outage-'));
      cluster = await createPostgresCluster();
      const url = await createTestDatabase(cluster.url, 'registry');
      const database = await openDatabase(
        { kind: 'postgres', url, poolMax: 2 },
        { purpose: 'test setup' },
      );
      try {
        await migrateToLatest(database.db);
        token = (await createTokenRepository(database.db).createUser('outage@example.test')).token;
      } finally {
        await database.close();
      }
      service = await startService({ ...serviceEnv(dataDir), DATABASE_URL: url });
      const created = await fetch(`${service.url}/v1/runner`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'survivor', endpoint: 'http://10.0.0.1:8188' }),
      });
      expect(created.status).toBe(201);
      runnerId = ((await created.json()) as { id: string }).id;
    }, 120_000);

    afterAll(async () => {
      if (service && service.child.exitCode === null) {
        service.child.kill('SIGTERM');
        await Promise.race([service.exited, sleep(10_000)]);
        service.child.kill('SIGKILL');
      }
      await cluster?.destroy();
      await fs.rm(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('answers 503 fast and generically while it is down, and 200 again without a restart', async () => {
      const live = service as ServiceProcess;
      const auth = { authorization: `Bearer ${token}` };
      const json = { ...auth, 'content-type': 'application/json' };
      const requests: {
        name: string;
        wire: Wire;
        path: string;
        init: (k: number) => RequestInit;
      }[] = [
        { name: 'REST list', wire: 'rest', path: '/v1/runner', init: () => ({ headers: auth }) },
        {
          name: 'REST update',
          wire: 'rest',
          path: `/v1/runner/${runnerId}`,
          init: (k) => ({ method: 'PUT', headers: json, body: JSON.stringify({ name: `n-${k}` }) }),
        },
        {
          name: 'tRPC get',
          wire: 'trpc',
          path: `/trpc/runner.get?input=${encodeURIComponent(JSON.stringify({ id: runnerId }))}`,
          init: () => ({ headers: auth }),
        },
      ];

      const observed: Observed[] = [];
      let loading = true;
      const loops = requests.map(async ({ name, wire, path: requestPath, init }) => {
        for (let k = 0; loading; k++) {
          const sentAt = Date.now();
          try {
            const response = await fetch(`${live.url}${requestPath}`, {
              ...init(k),
              signal: AbortSignal.timeout(20_000),
            });
            const answer = await readAnswer(response, wire, name);
            observed.push({ request: name, sentAt, receivedAt: Date.now(), ...answer });
          } catch (error) {
            const failure = error instanceof Error ? error.message : String(error);
            observed.push({ request: name, sentAt, receivedAt: Date.now(), status: 0, failure });
          }
          await sleep(10);
        }
      });

      await sleep(300);
      await (cluster as PostgresCluster).stopImmediately();
      const downAt = Date.now();
      await sleep(OUTAGE_MS / 2);
      const ready = await fetch(`${live.url}/readyz`);
      const readyBody = await ready.json();
      const health = await fetch(`${live.url}/healthz`);
      await sleep(OUTAGE_MS / 2);
      const alive = live.child.exitCode === null;

      const restartAt = Date.now();
      await (cluster as PostgresCluster).start();
      const databaseUpAt = Date.now();
      const firstOk = async (): Promise<Observed | undefined> => {
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(20)) {
          const ok = observed.find((o) => o.sentAt >= restartAt && o.status === 200);
          if (ok) return ok;
        }
        return undefined;
      };
      const recovered = await firstOk();
      await sleep(300);
      loading = false;
      await Promise.all(loops);

      // Sent and answered while the database was down (answers that straddle the restart may
      // be 200 or 503; the check of every answer below covers them).
      const duringOutage = observed.filter((o) => o.sentAt >= downAt && o.receivedAt < restartAt);
      const sentDuringOutage = observed.filter((o) => o.sentAt >= downAt && o.sentAt < restartAt);
      const slowest = Math.max(...sentDuringOutage.map((o) => o.receivedAt - o.sentAt));
      const recoveryMs = recovered ? recovered.receivedAt - restartAt : Number.NaN;
      console.log(
        `outage: recovered in ${recoveryMs} ms from cluster start ` +
          `(pg_ctl start -w returned after ${databaseUpAt - restartAt} ms); ` +
          `${sentDuringOutage.length} requests during a ${OUTAGE_MS} ms outage, all answered within ${slowest} ms`,
      );

      // The process stayed up; /healthz says so, /readyz says the database is not there.
      expect(alive, live.stderr()).toBe(true);
      expect(live.stderr()).toBe('');
      expect(health.status).toBe(200);
      expect({ status: ready.status, body: readyBody }).toEqual({
        status: 503,
        body: { status: 'unavailable', database: false },
      });

      // Every answer, before, during and after, was a well-formed 200 or 503; never a 500,
      // never a dropped connection or a cut body.
      expect(observed.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
      expect(
        observed.filter((o) => o.sentAt < downAt - 50 && o.status === 200).length,
      ).toBeGreaterThan(0);

      // While it was down: each request answered 503 within 5 s with the generic message.
      expect(duringOutage.length).toBeGreaterThan(10);
      expect(slowest).toBeLessThan(5_000);
      for (const o of duringOutage) {
        const context = JSON.stringify(o);
        expect(o.status, context).toBe(503);
        expect(o.receivedAt - o.sentAt, context).toBeLessThan(5_000);
        const error = (o.body as { error?: { message: string; data: { code: string } } }).error;
        const { code, message } = error
          ? { code: error.data.code, message: error.message }
          : (o.body as { code: string; message: string });
        expect(code, context).toBe('SERVICE_UNAVAILABLE');
        expect(message, context).toBe(
          'Service unavailable: the database cannot be reached; try again shortly',
        );
      }

      // Back without a restart, within seconds of the database.
      expect(recovered, 'a 200 after the database came back').toBeDefined();
      expect(recoveryMs).toBeLessThan(15_000);
      expect(live.child.exitCode).toBeNull();
      const after = await fetch(`${live.url}/v1/runner/${runnerId}`, { headers: auth });
      expect(after.status).toBe(200);
      expect((await fetch(`${live.url}/readyz`)).status).toBe(200);
    }, 60_000);
  },
);
