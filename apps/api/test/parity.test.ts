import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, parityCases } from './cases/parity-cases';
import { type Face, restFace, trpcFace } from './support/faces';
import {
  dialect,
  startTestServer,
  storedRunner,
  type TestServer,
  type TestUser,
} from './support/harness';

const FORGED = `Bearer rr_${'x'.repeat(43)}`;

describe(`one case table, every face (${dialect})`, () => {
  let server: TestServer;
  let owner: TestUser;
  let stranger: TestUser;
  let faces: Face[];

  beforeAll(async () => {
    server = await startTestServer();
    owner = await server.newUser();
    stranger = await server.newUser();
    faces = [trpcFace(server.url), restFace(server.url, 'PUT'), restFace(server.url, 'PATCH')];
  });
  afterAll(() => server?.close());

  const authorization = (caller: Caller): string | undefined =>
    ({
      owner: `Bearer ${owner.token}`,
      stranger: `Bearer ${stranger.token}`,
      anonymous: undefined,
      forged: FORGED,
    })[caller];

  it.each(parityCases)('$title', async ({ operation, caller, input, expected }) => {
    for (const face of faces) {
      const runner = await owner.client.runner.create.mutate({
        name: 'subject',
        endpoint: 'http://10.0.0.1:8188',
        headers: { 'X-Key': 'secret' },
        tags: ['gpu', 'a100'],
      });
      const before = await storedRunner(server.database, runner.id);
      const outcome = await face.call(operation, input(runner), authorization(caller));
      const context = `${face.name}: ${JSON.stringify(outcome)}`;

      if (expected === 'ok') {
        expect(outcome.ok, context).toBe(true);
        continue;
      }
      expect({ status: outcome.status, code: outcome.code }, context).toEqual({
        status: expected.status,
        code: expected.code,
      });
      expect(outcome.message, context).toBeTruthy();
      if (expected.field) {
        expect(
          outcome.issues?.map((issue) => issue.path),
          context,
        ).toContainEqual(expected.field);
        const named = expected.field.length > 0 ? expected.field.join('.') : undefined;
        if (named) expect(outcome.message, context).toContain(named);
      }
      // A refused request changes nothing.
      expect(await storedRunner(server.database, runner.id), context).toEqual(before);
    }
  });

  it('returns the same runner JSON on every face', async () => {
    const [trpc, put] = faces as [Face, Face, Face];
    const auth = authorization('owner');
    const created = await trpc.call('create', { name: 'same', endpoint: 'http://10.0.0.2' }, auth);
    const id = (created.data as { id: string }).id;
    const viaTrpc = await trpc.call('get', { id }, auth);
    const viaRest = await put.call('get', { id }, auth);
    expect(viaRest.data).toEqual(viaTrpc.data);
    expect(viaRest.data).toEqual(created.data);

    const updatedViaRest = await put.call('update', { id, tags: ['x'], headers: { A: 'b' } }, auth);
    expect((await trpc.call('get', { id }, auth)).data).toEqual(updatedViaRest.data);

    const listTrpc = await trpc.call('list', { per_page: 100 }, auth);
    const listRest = await put.call('list', { per_page: 100 }, auth);
    expect(listRest.data).toEqual(listTrpc.data);
  });
});
