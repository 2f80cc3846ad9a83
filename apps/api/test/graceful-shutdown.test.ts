import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/db/database';
import { dialect, openTestDatabase } from './support/harness';
import { runAdmin, type ServiceProcess, startService } from './support/processes';
import { serviceEnv } from './support/service-env';
import { readAnswer } from './support/wire';

const LOOPS = 16;
const RUNNERS = 4;

/** One update of the load: k, and what came back, or how the connection failed. */
interface Outcome {
  readonly runner: string;
  readonly k: string;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly status?: number;
  readonly body?: unknown;
  /** The request never got an answer: refused or reset before any response. */
  readonly connectionError?: string;
  /** Anything else: a 5xx, a cut body, an answer that is not well-formed. */
  readonly problem?: string;
}

/** Name, tags and endpoint all carry k: a row whose three disagree holds half an update. */
const fieldsFor = (k: string) => ({
  name: `n-${k}`,
  tags: [`t-${k}`],
  endpoint: `http://10.0.0.1/${k}`,
});

function kOf(row: { name: string; tags: string[]; endpoint: string }) {
  return {
    name: row.name.replace(/^n-/, ''),
    tags: row.tags.map((tag) => tag.replace(/^t-/, '')),
    endpoint: row.endpoint.replace(/^http:\/\/10\.0\.0\.1\//, ''),
  };
}

describe(`SIGTERM under a steady load of updates (${dialect})`, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-shutdown-'));
    env = serviceEnv(dataDir);
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('finishes the updates in flight with 2xx, exits 0, and leaves no half-applied update', async () => {
    const created = await runAdmin(
      ['create-user', '--email', `shutdown-${process.pid}-${Date.now()}@example.test`],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const live = await startService(env);
    service = live;
    const json = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const runnerIds: string[] = [];
    for (let r = 0; r < RUNNERS; r++) {
      const response = await fetch(`${live.url}/v1/runner`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(fieldsFor(`0-${r}`)),
      });
      expect(response.status).toBe(201);
      runnerIds.push(((await response.json()) as { id: string }).id);
    }

    const outcomes: Outcome[] = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    const loops = Array.from({ length: LOOPS }, async (_, loop) => {
      const runner = runnerIds[loop % RUNNERS] as string;
      // Until the server refuses connections: then it is gone.
      for (let seq = 1; ; seq++) {
        const k = `${loop}-${seq}`;
        const sentAt = Date.now();
        const base = { runner, k, sentAt };
        let response: Response;
        try {
          response = await fetch(`${live.url}/v1/runner/${runner}`, {
            method: 'PUT',
            headers: json,
            body: JSON.stringify(fieldsFor(k)),
            signal: AbortSignal.timeout(20_000),
          });
        } catch (error) {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          const connectionError = cause?.code ?? cause?.message ?? String(error);
          outcomes.push({ ...base, receivedAt: Date.now(), connectionError });
          if (Date.now() > signalledAt) return;
          continue;
        }
        try {
          const answer = await readAnswer(response, 'rest', `PUT ${k}`);
          const problem = answer.status === 200 ? undefined : `status ${answer.status}`;
          outcomes.push({ ...base, receivedAt: Date.now(), ...answer, problem });
        } catch (error) {
          // Headers came, then the body was cut or malformed: never acceptable.
          outcomes.push({ ...base, receivedAt: Date.now(), problem: String(error) });
        }
      }
    });

    // A steady load first, then SIGTERM in the middle of it.
    while (outcomes.filter((o) => o.status === 200).length < 150) await sleep(10);
    signalledAt = Date.now();
    live.child.kill('SIGTERM');
    const exitCode = await live.exited;
    await Promise.all(loops);

    const ok = outcomes.filter((o) => o.status === 200);
    const inFlight = ok.filter((o) => o.sentAt < signalledAt && o.receivedAt >= signalledAt);
    const refused = outcomes.filter((o) => o.connectionError);
    console.log(
      `shutdown (${dialect}): ${ok.length} updates answered 200, ${inFlight.length} of them ` +
        `in flight at SIGTERM; ${refused.length} refused (${[
          ...new Set(refused.map((o) => o.connectionError)),
        ].join(', ')})`,
    );

    expect(exitCode, live.stderr()).toBe(0);
    expect(live.stderr()).toBe('');
    expect(live.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    // No 5xx, no cut or malformed body: every request was answered 200 or never reached it.
    expect(outcomes.filter((o) => o.problem)).toEqual([]);
    expect(inFlight.length).toBeGreaterThan(0);
    // Connections fail only from SIGTERM on.
    expect(refused.filter((o) => o.receivedAt < signalledAt)).toEqual([]);
    for (const o of ok) {
      expect(o.body, o.k).toMatchObject({ id: o.runner, ...fieldsFor(o.k) });
    }

    // The data, reopened after the process is gone: every row holds one whole update.
    const database: DatabaseHandle =
      dialect === 'embedded'
        ? await openDatabase({ kind: 'embedded', dataDir }, { purpose: 'test' })
        : await openTestDatabase();
    try {
      const rows = await database.db
        .selectFrom('runners')
        .select(['id', 'name', 'tags', 'endpoint'])
        .where('id', 'in', runnerIds)
        .execute();
      expect(rows).toHaveLength(RUNNERS);
      for (const row of rows) {
        const ks = kOf(row);
        expect({ tags: ks.tags, endpoint: ks.endpoint }, row.id).toEqual({
          tags: [ks.name],
          endpoint: ks.name,
        });
        // And that update is one that was sent to this runner and answered 200, or whose
        // connection failed after it had been sent.
        const sent = outcomes.filter(
          (o) => o.runner === row.id && (o.status === 200 || o.connectionError),
        );
        expect(
          sent.map((o) => o.k),
          row.id,
        ).toContain(ks.name);
      }
    } finally {
      await database.close();
    }
  }, 60_000);
});
