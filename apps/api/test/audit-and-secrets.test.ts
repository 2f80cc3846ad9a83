import { randomBytes } from 'node:crypto';
import { errorCode } from '@runner-registry/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeaderCipher, HeaderKeyError } from '../src/runners/header-cipher';
import { rotateHeaderKey } from '../src/runners/rotate-header-key';
import { createRunnerRepository } from '../src/runners/runner-repository';
import {
  dialect,
  startTestServer,
  type TestServer,
  type TestUser,
  testCipher,
  testHeaderKey,
} from './support/harness';

const SECRET = 'comfy-credential-9f8e7d';

describe(`audit trail (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
  });
  afterAll(() => server?.close());

  it('records who created, updated and deleted a runner, which fields changed and when', async () => {
    const runner = await user.client.runner.create.mutate({
      name: 'audited',
      endpoint: 'http://10.0.0.1',
      headers: { Authorization: SECRET },
    });
    await user.client.runner.update.mutate({ id: runner.id, name: 'renamed', tags: ['gpu'] });
    await user.client.runner.update.mutate({ id: runner.id, name: 'renamed', headers: { A: 'b' } });
    await user.client.runner.update.mutate({ id: runner.id });
    const { events } = await user.client.runner.events.query({ id: runner.id });
    const tokenId = events[0]?.actor.token_id;
    expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.map((e) => [e.action, e.changed_fields])).toEqual([
      ['update', []],
      ['update', ['headers']],
      ['update', ['name', 'tags']],
      ['create', ['name', 'endpoint', 'status', 'tags', 'headers']],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        runner_id: runner.id,
        actor: { user_id: user.userId, token_id: tokenId },
      });
      expect(Date.parse(event.created_at)).toBeGreaterThanOrEqual(Date.parse(runner.created_at));
    }
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it('keeps the trail after the runner is deleted, and serves it over REST', async () => {
    const runner = await user.client.runner.create.mutate({
      name: 'doomed',
      endpoint: 'http://a.b',
    });
    await user.client.runner.delete.mutate({ id: runner.id });
    const response = await server.fetch(`/v1/runner/${runner.id}/events`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: { action: string }[] };
    expect(events.map((e) => e.action)).toEqual(['delete', 'create']);
  });

  it('shows no trail to another user, and none for a runner that never existed', async () => {
    const runner = await user.client.runner.create.mutate({ name: 'mine', endpoint: 'http://a.b' });
    const stranger = await server.newUser();
    const error = await stranger.client.runner.events.query({ id: runner.id }).catch((e) => e);
    expect(errorCode(error)).toBe('NOT_FOUND');
    const none = await user.client.runner.events
      .query({ id: '00000000-0000-4000-8000-000000000000' })
      .catch((e) => e);
    expect(errorCode(none)).toBe('NOT_FOUND');
  });

  it('records nothing for a refused update', async () => {
    const runner = await user.client.runner.create.mutate({
      name: 'steady',
      endpoint: 'http://a.b',
    });
    await user.client.runner.update.mutate({ id: runner.id, name: '' }).catch(() => undefined);
    const stranger = await server.newUser();
    await stranger.client.runner.update.mutate({ id: runner.id, name: 'x' }).catch(() => undefined);
    const { events } = await user.client.runner.events.query({ id: runner.id });
    expect(events.map((e) => e.action)).toEqual(['create']);
  });
});

describe(`header values encrypted at rest (${dialect})`, () => {
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    user = await server.newUser();
  });
  afterAll(() => server?.close());

  it('keeps no header value in the database, yet answers them to their owner', async () => {
    const runner = await user.client.runner.create.mutate({
      name: 'sealed',
      endpoint: 'http://10.0.0.1',
      headers: { Authorization: `Bearer ${SECRET}`, 'X-Plain-Name': 'visible?' },
    });
    expect(runner.headers).toEqual({
      Authorization: `Bearer ${SECRET}`,
      'X-Plain-Name': 'visible?',
    });
    // What a dump of every table would show.
    const dump = await sql<{ dump: string }>`
      SELECT concat_ws(' ',
        (SELECT json_agg(r)::text FROM runners r),
        (SELECT json_agg(e)::text FROM runner_events e),
        (SELECT json_agg(t)::text FROM api_tokens t)) AS dump`.execute(server.database.db);
    const text = dump.rows[0]?.dump ?? '';
    expect(text).toContain(runner.id);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('visible?');
    expect(text).not.toContain(user.token);
    const stored = await server.database.db
      .selectFrom('runners')
      .select('headers')
      .where('id', '=', runner.id)
      .executeTakeFirstOrThrow();
    expect(Object.keys(stored.headers).sort()).toEqual(['ct', 'iv', 'kid']);
    expect(stored.headers.kid).toBe(testCipher.primaryKeyId);
  });

  it('binds a ciphertext to its runner: copied to another row it does not decrypt', () => {
    const sealed = testCipher.encrypt('00000000-0000-4000-8000-000000000001', { A: 'b' });
    expect(() => testCipher.decrypt('00000000-0000-4000-8000-000000000002', sealed)).toThrow();
    expect(testCipher.decrypt('00000000-0000-4000-8000-000000000001', sealed)).toEqual({ A: 'b' });
  });

  it('remembers a decryption only for the exact envelope and runner it came from', () => {
    const id = '00000000-0000-4000-8000-000000000003';
    const other = '00000000-0000-4000-8000-000000000004';
    const sealed = testCipher.encrypt(id, { A: 'b' });
    const first = testCipher.decrypt(id, sealed);
    first.A = 'changed by a caller';
    expect(testCipher.decrypt(id, sealed)).toEqual({ A: 'b' });
    expect(() => testCipher.decrypt(other, sealed)).toThrow();
    const ct = Buffer.from(sealed.ct, 'base64');
    ct[0] = (ct[0] as number) ^ 1;
    expect(() => testCipher.decrypt(id, { ...sealed, ct: ct.toString('base64') })).toThrow();
    const iv = Buffer.from(sealed.iv, 'base64');
    iv[0] = (iv[0] as number) ^ 1;
    expect(() => testCipher.decrypt(id, { ...sealed, iv: iv.toString('base64') })).toThrow();
    expect(() => testCipher.decrypt(id, { ...sealed, kid: '0000000000000000' })).toThrow(
      HeaderKeyError,
    );
    // A cipher without the key refuses what another cipher has decrypted and remembered.
    expect(() => createHeaderCipher(randomBytes(32)).decrypt(id, sealed)).toThrow(HeaderKeyError);
  });

  it('answers every runner right while its cache of decryptions is full and evicting', () => {
    const small = createHeaderCipher(testHeaderKey, [], { cacheChars: 10_000 });
    const runners = Array.from({ length: 300 }, (_, i) => {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const headers = { 'X-Runner': `r${i}`, Authorization: `Bearer ${'s'.repeat(i % 50)}` };
      return { id, headers, sealed: small.encrypt(id, headers) };
    });
    for (let round = 0; round < 3; round++) {
      for (const { id, headers, sealed } of runners) {
        expect(small.decrypt(id, sealed)).toEqual(headers);
      }
    }
  });

  it('rotates to a new key: every row re-encrypted, values unchanged, old key no longer needed', async () => {
    const runner = await user.client.runner.create.mutate({
      name: 'rotating',
      endpoint: 'http://10.0.0.1',
      headers: { 'X-Key': SECRET },
    });
    const nextKey = randomBytes(32);
    const next = createHeaderCipher(nextKey, [testHeaderKey]);
    // Scoped to this user: other files share the database and keep the run's key.
    const scope = { userId: user.userId };
    // This user has two runners: the one above and this one.
    expect(await rotateHeaderKey(server.database.db, next, scope)).toBe(2);
    const onlyNew = createRunnerRepository(server.database, createHeaderCipher(nextKey));
    expect((await onlyNew.get(user.userId, runner.id))?.headers).toEqual({ 'X-Key': SECRET });
    expect(await rotateHeaderKey(server.database.db, next, scope)).toBe(0);
    const unchanged = await onlyNew.get(user.userId, runner.id);
    expect(unchanged?.updated_at).toBe(runner.updated_at);
  });
});
