import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorHandler } from '../src/http/errors';
import { createLogger } from '../src/log/logger';
import { createServices } from '../src/server';
import { createTrpcMiddleware } from '../src/trpc-http/trpc-middleware';
import {
  authChoice,
  bodyChoice,
  contentType,
  encodeBody,
  fuzzRuns,
  pathSegment,
  randomJson,
  resolveAuth,
  runnerFields,
} from './support/fuzz';
import {
  startTestServer,
  type TestServer,
  type TestUser,
  testCipher,
  testOutbound,
} from './support/harness';

/**
 * The service answers /trpc on node:http (src/trpc-http/trpc-handler.ts) and leaves the rest
 * of tRPC's protocol to tRPC's own express adapter. Here the same requests go to the service
 * and to a server that has only that adapter, on the same database with the same services, and
 * the answers must be the same: status, the headers a client reads, and the body.
 */

interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

function send(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: {
            ...request.headers,
            ...(request.body !== undefined && {
              'content-length': String(Buffer.byteLength(request.body)),
            }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
    } catch (error) {
      reject(error);
      return;
    }
    req.on('error', reject);
    req.setTimeout(5_000, () =>
      req.destroy(
        new Error(
          `no answer: ${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers)}`,
        ),
      ),
    );
    req.end(request.body);
  });
}

/** What a client reads of an answer; timestamps vary between two updates, so they are masked. */
function visible(answer: RawAnswer) {
  let body: unknown = answer.text;
  try {
    body = JSON.parse(answer.text, (key, value) =>
      key === 'updated_at' || key === 'created_at' ? '<time>' : value,
    );
  } catch {
    // Not JSON (a HEAD answer has no body): compared as text.
  }
  return {
    status: answer.status,
    contentType: answer.headers['content-type'],
    vary: answer.headers.vary,
    allow: answer.headers.allow,
    body,
  };
}

/** The node:http handler frames its answers with content-length; tRPC's adapter streams them. */
const servedBy = (answer: RawAnswer) =>
  answer.headers['content-length'] !== undefined ? 'handler' : 'adapter';

describe('the /trpc handler answers as tRPC’s own adapter does', () => {
  let server: TestServer;
  let reference: http.Server;
  let referenceUrl: string;
  let owner: TestUser;
  let stranger: TestUser;
  let runnerId: string;
  const missingId = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    server = await startTestServer();
    const services = createServices({
      database: server.database,
      logger: createLogger('silent'),
      outbound: testOutbound,
      headerCipher: testCipher,
      authCacheTtlMs: 5_000,
    });
    const app = express();
    app.disable('x-powered-by');
    app.use('/trpc', createTrpcMiddleware({ services, production: true }));
    reference = http.createServer(app);
    // Node's own refusals (431, 400) are the server's, not tRPC's: the same handler as the service.
    reference.on('clientError', clientErrorHandler);
    await new Promise<void>((resolve) => reference.listen(0, '127.0.0.1', resolve));
    referenceUrl = `http://127.0.0.1:${(reference.address() as AddressInfo).port}`;

    owner = await server.newUser();
    stranger = await server.newUser();
    const runner = await owner.client.runner.create.mutate({
      name: 'parity',
      endpoint: 'http://10.0.0.1:8188',
      headers: { 'X-Key': 'secret' },
      tags: ['gpu'],
    });
    runnerId = runner.id;
  });
  afterAll(async () => {
    await new Promise((resolve) => reference?.close(resolve));
    await server?.close();
  });

  /** Sends to both, the service first; answers what each said. */
  async function both(request: RawRequest) {
    const service = await send(server.url, request);
    const adapter = await send(referenceUrl, request);
    return { service, adapter };
  }

  /** As `both`, for generated requests Node may refuse to send (a header it cannot carry). */
  async function bothOrRefused(request: RawRequest) {
    const refused = (error: unknown) => ({ refused: (error as { code?: string }).code });
    const raw = await send(server.url, request).catch(refused);
    const adapter = await send(referenceUrl, request).then(visible, refused);
    return 'refused' in raw
      ? { service: raw, adapter, by: undefined }
      : { service: visible(raw), adapter, by: servedBy(raw) };
  }

  const auth = () => ({ authorization: `Bearer ${owner.token}` });
  const json = { 'content-type': 'application/json' };
  const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

  type Case = RawRequest & { readonly name: string; readonly by: 'handler' | 'adapter' };
  const get = (name: string, path: string, more: Partial<Case> = {}): Case => ({
    name,
    by: 'handler',
    method: 'GET',
    path,
    ...more,
  });
  const post = (
    name: string,
    path: string,
    body: Case['body'],
    more: Partial<Case> = {},
  ): Case => ({
    name,
    by: 'handler',
    method: 'POST',
    path,
    headers: json,
    body,
    ...more,
  });
  const update = '/trpc/runner.update';
  const missing = `{"id":"${missingId}"}`;

  const CASES: readonly Case[] = [
    // Queries over GET.
    get('a query', '/trpc/runner.get?input=ID'),
    get('a list', `/trpc/runner.list?input=${q({})}`),
    get('no input', '/trpc/runner.list'),
    get('empty input', '/trpc/runner.list?input='),
    get('events', '/trpc/runner.events?input=ID'),
    get('not JSON', '/trpc/runner.get?input=%7Bbad'),
    get('invalid id', `/trpc/runner.get?input=${q({ id: 'x' })}`),
    get('missing', `/trpc/runner.get?input=${q({ id: missingId })}`),
    get('JSON type on GET', '/trpc/runner.get?input=ID', { headers: json }),
    get('mutation over GET', '/trpc/runner.update?input=ID'),
    get('unknown procedure', '/trpc/runner.nope'),
    get('a router, not a procedure', '/trpc/runner'),
    get('empty path', '/trpc/'),
    get('prototype key', '/trpc/__proto__'),
    get('toString', '/trpc/toString'),
    get('bad percent-encoding', '/trpc/runner.%E0get'),
    get('fragment', '/trpc/runner.get?input=ID#x'),
    // Batches.
    get('a batch', `/trpc/runner.get,runner.list?batch=1&input=${q({ 0: { id: 'ID' }, 1: {} })}`),
    get(
      'a batch, 207',
      `/trpc/runner.get,runner.get?batch=1&input=${q({ 0: { id: 'ID' }, 1: { id: missingId } })}`,
    ),
    get(
      'a batch, one unknown',
      `/trpc/runner.get,runner.x?batch=1&input=${q({ 0: { id: 'ID' } })}`,
    ),
    get('a batch, mixed types', '/trpc/runner.get,runner.update?batch=1&input=%7B%7D'),
    get('a batch, array input', '/trpc/runner.get?batch=1&input=%5B1%5D'),
    get('a batch, missing index', `/trpc/runner.list,runner.list?batch=1&input=${q({ 1: {} })}`),
    get('batch=true is no batch', '/trpc/runner.get,runner.list?batch=true'),
    get('an encoded comma', `/trpc/runner.list%2Crunner.list?batch=1&input=${q({})}`),
    // Mutations over POST.
    post('an update', update, '{"id":"ID","name":"renamed"}'),
    post('an update with charset', update, '{"id":"ID","tags":["a","b"]}', {
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    }),
    post('a byte-order mark', update, '\ufeff{"id":"ID","name":"bom"}'),
    post('invalid update', update, '{"id":"ID","name":""}'),
    post(
      'stale update',
      update,
      '{"id":"ID","name":"x","expected_updated_at":"2000-01-01T00:00:00.000Z"}',
    ),
    post('body not JSON', update, '{"id":'),
    post('body not UTF-8', update, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    post('empty body', update, ''),
    post('body null', update, 'null'),
    post('missing runner', '/trpc/runner.delete', missing),
    post('health of a missing runner', '/trpc/runner.check', missing),
    post('query over POST', '/trpc/runner.get', '{"id":"ID"}'),
    post('input param on POST', `${update}?input=%7B%7D`, '{"id":"ID","status":"active"}'),
    post(
      'a batch of mutations',
      '/trpc/runner.update,runner.update?batch=1',
      '{"0":{"id":"ID","name":"one"},"1":{"id":"ID","name":""}}',
    ),
    post('over 1 MiB', update, `{"id":"ID","name":"${'x'.repeat(1024 * 1024)}"}`),
    // What the handler leaves to the adapter.
    post('no content type', update, '{"id":"ID"}', { by: 'adapter', headers: {} }),
    post('text/plain', update, '{"id":"ID"}', {
      by: 'adapter',
      headers: { 'content-type': 'text/plain' },
    }),
    get('form data on GET', '/trpc/runner.list', {
      by: 'adapter',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    }),
    post('PUT', update, '{"id":"ID"}', { by: 'adapter', method: 'PUT' }),
    get('HEAD', '/trpc/runner.list', { by: 'adapter', method: 'HEAD' }),
    get('streaming asked', `/trpc/runner.list?batch=1&input=${q({ 0: {} })}`, {
      by: 'adapter',
      headers: { 'trpc-accept': 'application/jsonl' },
    }),
    get('a nested path', '/trpc/x/runner.list', { by: 'adapter' }),
  ];

  for (const testCase of CASES) {
    it(`${testCase.name}: ${testCase.method} ${testCase.path.slice(0, 60)}`, async () => {
      const path = testCase.path.replaceAll('ID', (_match, offset: number, whole: string) =>
        whole.slice(offset - 6, offset) === 'input=' ? q({ id: runnerId }) : runnerId,
      );
      const body =
        typeof testCase.body === 'string'
          ? testCase.body.replaceAll('ID', runnerId)
          : testCase.body;
      for (const headers of [auth(), {}]) {
        const request = { ...testCase, path, body, headers: { ...testCase.headers, ...headers } };
        const { service, adapter } = await both(request);
        expect(visible(service), `${testCase.name} (${JSON.stringify(headers)})`).toEqual(
          visible(adapter),
        );
        expect(servedBy(service)).toBe(testCase.by);
      }
    });
  }

  it('random requests: the same answers', async () => {
    const RUNS = 300;
    const tally = { handler: 0, ok: 0 };
    const procedures = ['runner.get', 'runner.list', 'runner.update', 'runner.events', 'runner.x'];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          paths: fc.array(fc.constantFrom(...procedures), { minLength: 1, maxLength: 3 }),
          batch: fc.boolean(),
          // Mostly the method the first procedure takes; now and then either.
          method: fc.option(fc.constantFrom('GET', 'POST'), { freq: 3, nil: undefined }),
          input: fc.oneof(
            // Inputs that succeed for some procedure, so that answers with data are compared too.
            fc.constantFrom(
              { id: 'ID' },
              {},
              { id: 'ID', name: 'renamed' },
              { id: 'ID', tags: ['a'] },
            ),
            { weight: 1, arbitrary: runnerFields.map((fields) => ({ ...fields, id: 'ID' })) },
            { weight: 1, arbitrary: randomJson },
          ),
          body: fc.option(bodyChoice(randomJson), { freq: 2 }),
          type: fc.option(contentType, { freq: 2, nil: undefined }),
          auth: authChoice,
        }),
        async (r) => {
          const input = JSON.parse(
            JSON.stringify(r.input ?? null).replaceAll('"ID"', `"${runnerId}"`),
          );
          const wrapped = r.batch ? Object.fromEntries(r.paths.map((_, i) => [i, input])) : input;
          const path = `/trpc/${(r.batch ? r.paths : r.paths.slice(0, 1)).join(',')}`;
          const search = `${r.batch ? 'batch=1&' : ''}input=${pathSegment(JSON.stringify(wrapped), false)}`;
          const headers: Record<string, string> = {};
          const authorization = resolveAuth(r.auth, {
            owner: owner.token,
            stranger: stranger.token,
          });
          if (authorization !== undefined) headers.authorization = authorization;
          headers['content-type'] = r.type ?? 'application/json';
          const method = r.method ?? (r.paths[0] === 'runner.update' ? 'POST' : 'GET');
          const request: RawRequest =
            method === 'GET'
              ? { method: 'GET', path: `${path}?${search}`, headers }
              : {
                  method: 'POST',
                  path: r.batch ? `${path}?batch=1` : path,
                  headers,
                  body: encodeBody(r.body ?? { kind: 'json', value: wrapped }).bytes,
                };
          const { service, adapter, by } = await bothOrRefused(request);
          expect(service, `${request.method} ${request.path.slice(0, 200)}`).toEqual(adapter);
          if (by === 'handler') tally.handler += 1;
          if ('status' in service && (service.status === 200 || service.status === 207)) {
            tally.ok += 1;
          }
        },
      ),
      fuzzRuns(RUNS),
    );
    console.log(`tRPC handler parity: ${JSON.stringify(tally)} of ${RUNS}`);
    // Not vacuous: most requests took the handler's path, and some calls succeeded.
    expect(tally.handler).toBeGreaterThan(RUNS / 2);
    expect(tally.ok).toBeGreaterThan(RUNS / 20);
  }, 120_000);
});
