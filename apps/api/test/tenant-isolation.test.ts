import { randomUUID } from 'node:crypto';
import type { Runner } from '@runner-registry/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Face, type Operation, restFace, trpcFace } from './support/faces';
import {
  dialect,
  type StoredRunner,
  startTestServer,
  storedRunner,
  type TestServer,
  type TestUser,
} from './support/harness';

/** What user B tries on a runner of user A's. */
interface Attempt {
  readonly title: string;
  readonly operation: Operation;
  readonly input: (id: string) => Record<string, unknown>;
}

const ATTEMPTS: readonly Attempt[] = [
  { title: 'get it', operation: 'get', input: (id) => ({ id }) },
  {
    title: 'get it by its id in upper case',
    operation: 'get',
    input: (id) => ({ id: id.toUpperCase() }),
  },
  { title: 'rename it', operation: 'update', input: (id) => ({ id, name: 'taken-over' }) },
  {
    title: 'point it elsewhere',
    operation: 'update',
    input: (id) => ({ id, endpoint: 'https://attacker.example' }),
  },
  {
    title: 'replace its headers',
    operation: 'update',
    input: (id) => ({ id, headers: { Authorization: 'Bearer attacker' } }),
  },
  { title: 'clear its headers', operation: 'update', input: (id) => ({ id, headers: {} }) },
  { title: 'replace its tags', operation: 'update', input: (id) => ({ id, tags: ['mine'] }) },
  { title: 'clear its tags', operation: 'update', input: (id) => ({ id, tags: [] }) },
  { title: 'disable it', operation: 'update', input: (id) => ({ id, status: 'disabled' }) },
  { title: 'update it with {}', operation: 'update', input: (id) => ({ id }) },
  {
    title: 'update every field at once',
    operation: 'update',
    input: (id) => ({
      id,
      name: 'taken-over',
      endpoint: 'https://attacker.example',
      headers: { 'X-Key': 'attacker' },
      tags: ['mine'],
      status: 'disabled',
    }),
  },
  {
    title: 'update it by its id in upper case',
    operation: 'update',
    input: (id) => ({ id: id.toUpperCase(), name: 'taken-over' }),
  },
  { title: 'delete it', operation: 'delete', input: (id) => ({ id }) },
];

type FaceName = 'tRPC' | 'REST PUT' | 'REST PATCH';

// Reads and deletes are the same request on REST whatever the update method; PATCH adds updates.
const MATRIX = (['tRPC', 'REST PUT', 'REST PATCH'] as const).flatMap((face) =>
  ATTEMPTS.filter((a) => face !== 'REST PATCH' || a.operation === 'update').map((attempt) => ({
    face,
    ...attempt,
  })),
);

describe(`tenant isolation: user B cannot reach user A's runners (${dialect})`, () => {
  let server: TestServer;
  let a: TestUser;
  let b: TestUser;
  let faces: Record<FaceName, Face>;
  let runnersOfA: Runner[];
  let runnerOfB: Runner;
  let before: Map<string, StoredRunner>;

  beforeAll(async () => {
    server = await startTestServer();
    a = await server.newUser();
    b = await server.newUser();
    faces = {
      tRPC: trpcFace(server.url),
      'REST PUT': restFace(server.url, 'PUT'),
      'REST PATCH': restFace(server.url, 'PATCH'),
    };
    runnersOfA = [
      await a.client.runner.create.mutate({
        name: 'a-active',
        endpoint: 'http://10.0.0.1:8188',
        headers: { Authorization: 'Bearer a-secret', 'X-Key': 'k' },
        tags: ['gpu', 'shared-tag'],
      }),
      await a.client.runner.create.mutate({
        name: 'a-disabled',
        endpoint: 'https://a.example',
        tags: ['shared-tag'],
      }),
    ];
    const disabledId = (runnersOfA[1] as Runner).id;
    await a.client.runner.update.mutate({ id: disabledId, status: 'disabled' });
    runnerOfB = await b.client.runner.create.mutate({
      name: 'b-own',
      endpoint: 'http://10.0.0.2',
      tags: ['shared-tag'],
    });
    before = await storedRows(runnersOfA.map((r) => r.id));
  });
  afterAll(() => server?.close());

  async function storedRows(ids: readonly string[]): Promise<Map<string, StoredRunner>> {
    const rows = new Map<string, StoredRunner>();
    for (const id of ids) rows.set(id, (await storedRunner(server.database, id)) as StoredRunner);
    return rows;
  }

  it.each(MATRIX)(
    '$face: B tries to $title → 404 NOT_FOUND, the same answer as for a missing runner, and A’s rows stay byte-identical',
    async ({ face, operation, input }) => {
      const asB = `Bearer ${b.token}`;
      for (const target of runnersOfA) {
        const outcome = await faces[face].call(operation, input(target.id), asB);
        const context = `${face} ${operation} ${target.name}: ${JSON.stringify(outcome)}`;
        expect({ ok: outcome.ok, status: outcome.status, code: outcome.code }, context).toEqual({
          ok: false,
          status: 404,
          code: 'NOT_FOUND',
        });
        // No existence oracle: a runner of someone else reads exactly like one that never was.
        const missing = await faces[face].call(operation, input(randomUUID()), asB);
        expect(outcome, context).toEqual(missing);
      }
      // Every column, headers as stored text included, and updated_at untouched.
      expect(await storedRows(runnersOfA.map((r) => r.id))).toEqual(before);
    },
  );

  it.each(['tRPC', 'REST PUT'] as const)(
    '%s: B’s list shows only B’s runner, whatever the filter, and counts only it',
    async (face) => {
      const asB = `Bearer ${b.token}`;
      for (const query of [
        {},
        { per_page: 100 },
        { tags: ['shared-tag'] },
        { tags: ['gpu'] },
        { status: 'active' },
        { status: 'disabled' },
        { page: 2, per_page: 1 },
      ]) {
        const outcome = await faces[face].call('list', query, asB);
        const context = `${face} list ${JSON.stringify(query)}: ${JSON.stringify(outcome)}`;
        expect(outcome.ok, context).toBe(true);
        const page = outcome.data as { runners: Runner[]; total: number };
        expect(
          page.runners.every((r) => r.user_id === b.userId),
          context,
        ).toBe(true);
        const aIds = new Set(runnersOfA.map((r) => r.id));
        expect(
          page.runners.filter((r) => aIds.has(r.id)),
          context,
        ).toEqual([]);
        const matchesB =
          !('status' in query && query.status === 'disabled') &&
          !('tags' in query && query.tags?.includes('gpu'));
        expect(page.total, context).toBe(matchesB ? 1 : 0);
      }
      expect((await faces[face].call('get', { id: runnerOfB.id }, asB)).ok).toBe(true);
    },
  );

  it('A still sees both runners exactly as created after every attempt', async () => {
    const page = await a.client.runner.list.query({ per_page: 100 });
    expect(page.total).toBe(2);
    expect(await storedRows(runnersOfA.map((r) => r.id))).toEqual(before);
  });
});
