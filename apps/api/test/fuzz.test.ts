import { isDeepStrictEqual } from 'node:util';
import { RunnerCreateInput, RunnerIdInput, RunnerUpdateInput } from '@runner-registry/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthChoice,
  authChoice,
  type BodyChoice,
  bodyChoice,
  contentType,
  encodeBody,
  fuzzRuns,
  type IdChoice,
  idChoice,
  namedCaller,
  pathSegment,
  queryString,
  randomJson,
  resolveAuth,
  resolveId,
  runnerFields,
} from './support/fuzz';
import {
  dialect,
  type StoredRunner,
  startTestServer,
  storedRunnersOf,
  type TestServer,
  type TestUser,
  testCipher,
} from './support/harness';
import { type Answer, readAnswer, type Wire } from './support/wire';

type Who = 'owner' | 'stranger';
type Operation = 'create' | 'get' | 'list' | 'update' | 'delete' | 'other';

/** What was sent, as far as the oracle needs it: who, which operation, the input the server saw. */
interface Sent {
  readonly wire: Wire;
  readonly label: string;
  readonly caller: Who | undefined;
  readonly operation: Operation;
  /** The procedure input, when the server could have read one; undefined otherwise. */
  readonly input: unknown;
}

// Runs per property; together about 3 500 requests, a few seconds each on either database.
const RUNS = { restWrites: 900, restReads: 700, trpcQueries: 700, trpcMutations: 900, auth: 400 };

// One property takes 2 to 12 s here; CI machines may be slower.
const FUZZ_TIMEOUT = 90_000;

const RUNNER_FIELDS = ['name', 'endpoint', 'status', 'tags', 'headers'] as const;

describe(`fuzzed requests get a well-formed 4xx and change only what the owner may (${dialect})`, () => {
  let server: TestServer;
  let users: Record<Who, TestUser>;
  let tokens: Record<Who, string>;
  /** The seeded runners the fuzzed requests aim at, and whose they are. */
  const seeds: { id: string; owner: Who }[] = [];
  /** Every runner row of both users as it must be now. */
  let expected: Map<string, StoredRunner>;
  const tally = { requests: 0, serverErrors: 0, successes: 0, changes: 0, huge: 0 };

  beforeAll(async () => {
    server = await startTestServer();
    users = { owner: await server.newUser(), stranger: await server.newUser() };
    tokens = { owner: users.owner.token, stranger: users.stranger.token };
    for (const who of ['owner', 'owner', 'owner', 'stranger'] as const) await seed(who);
    expected = await snapshot();
  });
  afterAll(async () => {
    console.log(
      `fuzz: ${tally.requests} requests, ${tally.serverErrors} 5xx, ${tally.successes} 2xx, ` +
        `${tally.huge} over 16 KB, ` +
        `${tally.changes} allowed changes (${dialect})`,
    );
    await server?.close();
  });

  async function seed(who: Who): Promise<void> {
    const runner = await users[who].client.runner.create.mutate({
      name: `seed-${who}`,
      endpoint: 'http://10.0.0.1:8188',
      headers: { 'X-Key': `secret-${who}`, Authorization: 'Bearer comfy' },
      tags: ['gpu', 'a100'],
    });
    seeds.push({ id: runner.id, owner: who });
  }

  const snapshot = () =>
    storedRunnersOf(server.database, [users.owner.userId, users.stranger.userId]);
  const seedIds = () => seeds.map((s) => s.id);

  async function send(
    sent: Sent,
    method: string,
    path: string,
    authorization: string | undefined,
    type: string | undefined,
    bytes: Uint8Array | undefined,
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers.authorization = authorization;
    if (type !== undefined) headers['content-type'] = type;
    if ((bytes?.length ?? 0) + path.length > 16_000) tally.huge += 1;
    const response = await server.fetch(path, { method, headers, body: bytes });
    tally.requests += 1;
    if (response.status >= 500) tally.serverErrors += 1;
    if (response.status < 300) tally.successes += 1;
    const answer = await readAnswer(response, sent.wire, `${method} ${path.slice(0, 200)}`);
    // The server runs in this process: a polluted prototype would show here.
    expect(Object.keys(Object.prototype), 'prototype pollution').toEqual([]);
    expect(answer.status, sent.label).toBeGreaterThanOrEqual(200);
    expect(answer.status, `${sent.label}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
    return answer;
  }

  /**
   * The oracle, after every request: a 2xx came from a caller a valid token names and shows
   * only that caller's runners; every row of both users is as it was, except what this very
   * request was entitled to change, with exactly the fields its valid input named.
   */
  async function verify(sent: Sent, answer: Answer): Promise<void> {
    const context = `${sent.label} → ${answer.status} ${answer.text.slice(0, 300)}`;
    const ok = answer.status < 300;
    const output = ok && sent.wire === 'trpc' ? resultData(answer.body) : answer.body;
    if (ok) {
      expect(sent.caller, `2xx without a valid token: ${context}`).toBeDefined();
      const callerId = users[sent.caller as Who].userId;
      for (const runner of runnersIn(output)) expect(runner.user_id, context).toBe(callerId);
    }

    const now = await snapshot();
    if (sameRows(expected, now)) return;
    try {
      await explainChanges(sent, ok, context, now);
    } finally {
      // Whatever happened, the next request is judged against what is there now.
      expected = await snapshot();
    }
  }

  async function explainChanges(
    sent: Sent,
    ok: boolean,
    context: string,
    now: Map<string, StoredRunner>,
  ): Promise<void> {
    for (const [id, row] of now) {
      const before = expected.get(id);
      if (before && isDeepStrictEqual(before, row)) continue;
      expect(ok, `a refused request changed runner ${id}: ${context}`).toBe(true);
      const owner = row.user_id === users.owner.userId ? 'owner' : 'stranger';
      expect(sent.caller, `runner ${id} of ${owner} changed: ${context}`).toBe(owner);
      if (!before) {
        // A valid create: the new row is what was asked for, and leaves again at once.
        expect(sent.operation, context).toBe('create');
        const input = RunnerCreateInput.parse(sent.input);
        expect(pickFields(row), context).toEqual({
          name: input.name,
          endpoint: input.endpoint,
          status: 'active',
          tags: input.tags ?? [],
          headers: input.headers ?? {},
        });
        await server.database.db.deleteFrom('runners').where('id', '=', id).execute();
        now.delete(id);
      } else {
        expect(sent.operation, context).toBe('update');
        const { id: inputId, ...changes } = RunnerUpdateInput.parse(sent.input);
        expect(inputId.toLowerCase(), context).toBe(id);
        expect(pickFields(row), context).toEqual({ ...pickFields(before), ...changes });
        expect(row.created_at, context).toEqual(before.created_at);
        expect(row.updated_at.getTime(), context).toBeGreaterThan(before.updated_at.getTime());
      }
      tally.changes += 1;
    }
    for (const id of expected.keys()) {
      if (now.has(id)) continue;
      expect(ok, `a refused request deleted runner ${id}: ${context}`).toBe(true);
      expect(sent.operation, context).toBe('delete');
      expect(RunnerIdInput.parse(sent.input).id.toLowerCase(), context).toBe(id);
      const index = seeds.findIndex((s) => s.id === id);
      const [gone] = seeds.splice(index, 1);
      expect(sent.caller, context).toBe(gone?.owner);
      await seed(gone?.owner as Who);
      tally.changes += 1;
    }
  }

  it('answers a request head over 16 KiB with a JSON 431 on both faces, before any route', async () => {
    const long = 'x'.repeat(20_000);
    for (const [wire, path] of [
      ['rest', `/v1/runner/${long}`],
      ['trpc', `/trpc/runner.get?input=${long}`],
      ['rest', '/v1/runner'],
    ] as const) {
      const sent: Sent = {
        wire,
        label: path.slice(0, 30),
        caller: 'owner',
        operation: 'other',
        input: undefined,
      };
      const authorization =
        path === '/v1/runner'
          ? `Bearer ${tokens.owner}${' '.repeat(1)}${long}`
          : `Bearer ${tokens.owner}`;
      const answer = await send(sent, 'GET', path, authorization, undefined, undefined);
      expect(answer.status).toBe(431);
      expect(answer.body).toEqual({
        status: 431,
        message: 'Request headers and URL are larger than 16 KiB',
        code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
      });
    }
  });

  it('labels tRPC errors raised before a procedure runs as JSON', async () => {
    const response = await server.fetch('/trpc/runner.create', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.owner}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      error: { data: { code: 'UNSUPPORTED_MEDIA_TYPE', httpStatus: 415 } },
    });
  });

  // -------------------------------------------------------------------------------------------
  // REST
  // -------------------------------------------------------------------------------------------

  const restTarget = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'collection' as const }) },
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant('item' as const), id: idChoice, raw: fc.boolean() }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '/v1/runner/',
          '/v1/Runner',
          '/v1/runner/a/b',
          '/v1/runners',
          '/v1/',
          '/v1/runner/%',
          '/v1/runner/%E0%A4%A',
          '/v1/runner/%00',
          '/v1/runner/..%2F..%2Fetc%2Fpasswd',
          '/v1/__proto__',
          '/v1/constructor',
        )
        .map((path) => ({ kind: 'path' as const, path })),
    },
  );
  type RestTarget = typeof restTarget extends fc.Arbitrary<infer T> ? T : never;

  function restPath(target: RestTarget): { path: string; id?: string } {
    if (target.kind === 'collection') return { path: '/v1/runner' };
    if (target.kind === 'path') return { path: target.path };
    const id = resolveId(target.id, seedIds());
    return { path: `/v1/runner/${pathSegment(id, target.raw)}`, id };
  }

  function restOperation(method: string, target: RestTarget): Operation {
    if (target.kind === 'collection') {
      return method === 'POST' ? 'create' : method === 'GET' ? 'list' : 'other';
    }
    if (target.kind === 'path') return 'other';
    return (
      ({ GET: 'get', PUT: 'update', PATCH: 'update', DELETE: 'delete' } as const)[
        method as 'GET'
      ] ?? 'other'
    );
  }

  async function sendRest(request: {
    method: string;
    target: RestTarget;
    query?: string | null;
    auth: AuthChoice;
    type: string | undefined;
    body: BodyChoice;
  }): Promise<void> {
    const { method, target } = request;
    const { path, id } = restPath(target);
    const authorization = resolveAuth(request.auth, tokens);
    const encoded = method === 'GET' ? { isJson: false } : encodeBody(request.body);
    const operation = restOperation(method, target);
    let input: unknown;
    if (operation === 'create') input = encoded.parsed;
    else if (operation === 'get' || operation === 'delete') input = { id };
    else if (id !== undefined) {
      // A body on GET or DELETE means nothing (RFC 9110) and is not read.
      const fields =
        encoded.bytes === undefined || encoded.bytes.length === 0 ? {} : encoded.parsed;
      input = isPlainObject(fields) ? { ...fields, id } : undefined;
    }
    const full = request.query ? `${path}?${request.query}` : path;
    const sent: Sent = {
      wire: 'rest',
      label: `REST ${method} ${full.slice(0, 120)} as ${describeAuth(request.auth)}`,
      caller: namedCaller(authorization, tokens),
      operation,
      input,
    };
    const answer = await send(sent, method, full, authorization, request.type, encoded.bytes);
    await verify(sent, answer);
  }

  it(
    `POST, PUT, PATCH and DELETE with random bodies, content types and tokens (${RUNS.restWrites} requests)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            method: fc.constantFrom('POST', 'PUT', 'PATCH', 'PUT', 'PATCH', 'DELETE'),
            target: restTarget,
            auth: authChoice,
            type: contentType,
            body: bodyChoice(fc.oneof(runnerFields, randomJson)),
          }),
          sendRest,
        ),
        fuzzRuns(RUNS.restWrites),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    `GET one and GET list with random ids and query strings (${RUNS.restReads} requests)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            method: fc.constantFrom('GET', 'GET', 'GET', 'OPTIONS', 'DELETE'),
            target: restTarget,
            query: fc.option(queryString, { freq: 2 }),
            auth: authChoice,
            type: fc.constant(undefined),
            body: fc.constant({ kind: 'none' as const }),
          }),
          sendRest,
        ),
        fuzzRuns(RUNS.restReads),
      );
    },
    FUZZ_TIMEOUT,
  );

  // -------------------------------------------------------------------------------------------
  // tRPC, raw HTTP: queries as GET ?input=, mutations as POST
  // -------------------------------------------------------------------------------------------

  const QUERIES = ['get', 'list'] as const;
  const MUTATIONS = ['create', 'update', 'delete'] as const;
  const foreignProcedure = fc.constantFrom(
    'runner.constructor',
    'runner.__proto__',
    'runner.toString',
    'runner',
    'constructor',
    '__proto__',
    'runner.get.x',
    'runner.get,runner.list',
    '',
  );

  /** An input shaped like the procedure's (an id, fields) or any JSON at all. */
  const trpcInput = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.option(idChoice, { freq: 6 }), runnerFields)
        .map(([id, fields]) => ({ id, fields })),
    },
    { weight: 2, arbitrary: randomJson.map((json) => ({ json })) },
  );
  type TrpcInput = typeof trpcInput extends fc.Arbitrary<infer T> ? T : never;

  function resolveInput(input: TrpcInput): unknown {
    if ('json' in input) return input.json;
    return input.id
      ? { ...input.fields, id: resolveId(input.id as IdChoice, seedIds()) }
      : input.fields;
  }

  async function sendTrpc(request: {
    procedure: string;
    known: boolean;
    asQuery: boolean;
    input: TrpcInput;
    rawInput: string | null;
    auth: AuthChoice;
    type: string | undefined;
    body: BodyChoice | null;
  }): Promise<void> {
    const authorization = resolveAuth(request.auth, tokens);
    const value = resolveInput(request.input);
    const operation: Operation = request.known ? (request.procedure as Operation) : 'other';
    const base = `/trpc/${request.known ? `runner.${request.procedure}` : request.procedure}`;
    let path = base;
    let bytes: Uint8Array | undefined;
    let input: unknown;
    if (request.asQuery) {
      const json = request.rawInput ?? JSON.stringify(value);
      if (json !== undefined) path = `${base}?input=${pathSegment(json, false)}`;
      input = request.rawInput === null ? value : safeParse(request.rawInput);
    } else {
      const encoded = encodeBody(request.body ?? { kind: 'json', value });
      bytes = encoded.bytes;
      input = encoded.parsed;
    }
    const method = request.asQuery ? 'GET' : 'POST';
    const sent: Sent = {
      wire: 'trpc',
      label: `tRPC ${method} ${path.slice(0, 120)} as ${describeAuth(request.auth)}`,
      caller: namedCaller(authorization, tokens),
      operation,
      input: input === undefined && !request.asQuery ? undefined : input,
    };
    const answer = await send(sent, method, path, authorization, request.type, bytes);
    await verify(sent, answer);
  }

  it(
    `tRPC queries over GET ?input= with random input and tokens (${RUNS.trpcQueries} requests)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            procedure: fc.oneof(
              { weight: 9, arbitrary: fc.constantFrom(...QUERIES, ...QUERIES, ...MUTATIONS) },
              { weight: 1, arbitrary: foreignProcedure },
            ),
            input: trpcInput,
            rawInput: fc.option(
              fc.constantFrom('{', '', 'undefined', '{"id":', '%', '{"0":{}}', '[1,2]', 'null'),
              { freq: 8 },
            ),
            auth: authChoice,
            type: fc.option(contentType, { freq: 4, nil: undefined }),
          }),
          (request) =>
            sendTrpc({
              ...request,
              known: [...QUERIES, ...MUTATIONS].includes(request.procedure as 'get'),
              asQuery: true,
              body: null,
            }),
        ),
        fuzzRuns(RUNS.trpcQueries),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    `tRPC mutations over POST with random bodies, content types and tokens (${RUNS.trpcMutations} requests)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            procedure: fc.oneof(
              { weight: 9, arbitrary: fc.constantFrom(...MUTATIONS, ...MUTATIONS, ...QUERIES) },
              { weight: 1, arbitrary: foreignProcedure },
            ),
            input: trpcInput,
            auth: authChoice,
            type: contentType,
            body: fc.option(bodyChoice(randomJson), { freq: 3 }),
          }),
          (request) =>
            sendTrpc({
              ...request,
              known: [...QUERIES, ...MUTATIONS].includes(request.procedure as 'get'),
              asQuery: false,
              rawInput: null,
            }),
        ),
        fuzzRuns(RUNS.trpcMutations),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    `garbled, foreign and missing tokens get 401 on every route of both faces (${RUNS.auth} requests)`,
    async () => {
      const create = { name: 'x', endpoint: 'http://10.0.0.2' };
      const routes: readonly {
        wire: Wire;
        method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        operation: Operation;
        path: (id: string) => string;
        body?: (id: string) => Record<string, unknown>;
        input: (id: string) => unknown;
      }[] = [
        {
          wire: 'rest',
          method: 'POST',
          operation: 'create',
          path: () => '/v1/runner',
          body: () => create,
          input: () => create,
        },
        {
          wire: 'rest',
          method: 'GET',
          operation: 'list',
          path: () => '/v1/runner',
          input: () => ({}),
        },
        {
          wire: 'rest',
          method: 'GET',
          operation: 'get',
          path: (id) => `/v1/runner/${id}`,
          input: (id) => ({ id }),
        },
        {
          wire: 'rest',
          method: 'PUT',
          operation: 'update',
          path: (id) => `/v1/runner/${id}`,
          body: () => ({ name: 'taken-over' }),
          input: (id) => ({ id, name: 'taken-over' }),
        },
        {
          wire: 'rest',
          method: 'PATCH',
          operation: 'update',
          path: (id) => `/v1/runner/${id}`,
          body: () => ({ tags: [] }),
          input: (id) => ({ id, tags: [] }),
        },
        {
          wire: 'rest',
          method: 'DELETE',
          operation: 'delete',
          path: (id) => `/v1/runner/${id}`,
          input: (id) => ({ id }),
        },
        {
          wire: 'trpc',
          method: 'POST',
          operation: 'create',
          path: () => '/trpc/runner.create',
          body: () => create,
          input: () => create,
        },
        {
          wire: 'trpc',
          method: 'GET',
          operation: 'get',
          path: (id) => `/trpc/runner.get?input=${q({ id })}`,
          input: (id) => ({ id }),
        },
        {
          wire: 'trpc',
          method: 'GET',
          operation: 'list',
          path: () => `/trpc/runner.list?input=${q({})}`,
          input: () => ({}),
        },
        {
          wire: 'trpc',
          method: 'POST',
          operation: 'update',
          path: () => '/trpc/runner.update',
          body: (id) => ({ id, status: 'disabled' }),
          input: (id) => ({ id, status: 'disabled' }),
        },
        {
          wire: 'trpc',
          method: 'POST',
          operation: 'delete',
          path: () => '/trpc/runner.delete',
          body: (id) => ({ id }),
          input: (id) => ({ id }),
        },
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: routes.length - 1 }),
          fc.nat(),
          authChoice.filter((choice) => choice.kind !== 'owner' && choice.kind !== 'stranger'),
          async (routeIndex, seedIndex, auth) => {
            const route = routes[routeIndex] as (typeof routes)[number];
            const id = resolveId({ kind: 'seed', index: seedIndex, form: 'as-is' }, seedIds());
            const authorization = resolveAuth(auth, tokens);
            const caller = namedCaller(authorization, tokens);
            const body = route.body && Buffer.from(JSON.stringify(route.body(id)));
            const sent: Sent = {
              wire: route.wire,
              label: `${route.method} ${route.path(id)} as ${describeAuth(auth)}`,
              caller,
              operation: route.operation,
              input: route.input(id),
            };
            const answer = await send(
              sent,
              route.method,
              route.path(id),
              authorization,
              body && 'application/json',
              body,
            );
            // Only a header that is exactly "Bearer <a valid token>" (scheme in any case) names a caller.
            if (caller === undefined) {
              expect(answer.status, sent.label).toBe(401);
              expect(errorCode(answer), sent.label).toBe('UNAUTHORIZED');
            }
            await verify(sent, answer);
          },
        ),
        fuzzRuns(RUNS.auth),
      );
    },
    FUZZ_TIMEOUT,
  );
});

function sameRows(a: Map<string, StoredRunner>, b: Map<string, StoredRunner>): boolean {
  return a.size === b.size && [...a].every(([id, row]) => isDeepStrictEqual(row, b.get(id)));
}

function q(value: unknown): string {
  return encodeURIComponent(JSON.stringify(value));
}

function errorCode(answer: Answer): unknown {
  const body = answer.body as { code?: unknown; error?: { data?: { code?: unknown } } };
  return body.error?.data?.code ?? body.code;
}

function describeAuth(choice: AuthChoice): string {
  if (choice.kind === 'mangled') return `${choice.of} (${choice.how})`;
  if (choice.kind === 'raw') return `raw ${JSON.stringify(choice.value.slice(0, 40))}`;
  return choice.kind;
}

function resultData(body: unknown): unknown {
  return (body as { result?: { data?: unknown } }).result?.data;
}

function runnersIn(output: unknown): { user_id: unknown }[] {
  if (!isPlainObject(output)) return [];
  if (Array.isArray(output.runners)) return output.runners as { user_id: unknown }[];
  return 'user_id' in output ? [output as { user_id: unknown }] : [];
}

function pickFields(row: StoredRunner): Record<(typeof RUNNER_FIELDS)[number], unknown> {
  return {
    name: row.name,
    endpoint: row.endpoint,
    status: row.status,
    tags: row.tags,
    // Stored encrypted; compared as the owner reads them.
    headers: testCipher.decrypt(row.id, row.headers),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
