import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCache } from '../src/auth/token-cache';
import { createTokenRepository } from '../src/auth/token-repository';
import { clientErrorHandler } from '../src/http/errors';
import { createLogger } from '../src/log/logger';
import { createRunnerHttp } from '../src/runners/runner-http';
import { createRunnerRepository } from '../src/runners/runner-repository';
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
import { startTestServer, type TestServer, type TestUser, testCipher } from './support/harness';

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
    const { db } = server.database;
    const services = {
      runners: createRunnerRepository(db, testCipher),
      auth: createTokenCache(createTokenRepository(db), { ttlMs: 5_000 }),
      runnerHttp: createRunnerHttp({
        timeoutMs: 1_000,
        maxResponseBytes: 64 * 1024,
        allowPrivateAddresses: true,
      }),
      logger: createLogger('silent'),
    };
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

  const CASES: readonly (RawRequest & { name: string; by: 'handler' | 'adapter' })[] = [
    // Queries over GET.
    { name: 'a query', by: 'handler', method: 'GET', path: '/trpc/runner.get?input=ID' },
    { name: 'a list', by: 'handler', method: 'GET', path: `/trpc/runner.list?input=${q({})}` },
    { name: 'no input', by: 'handler', method: 'GET', path: '/trpc/runner.list' },
    { name: 'empty input', by: 'handler', method: 'GET', path: '/trpc/runner.list?input=' },
    { name: 'events', by: 'handler', method: 'GET', path: '/trpc/runner.events?input=ID' },
    { name: 'not JSON', by: 'handler', method: 'GET', path: '/trpc/runner.get?input=%7Bbad' },
    {
      name: 'invalid id',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.get?input=${q({ id: 'x' })}`,
    },
    {
      name: 'missing',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.get?input=${q({ id: missingId })}`,
    },
    {
      name: 'JSON type on GET',
      by: 'handler',
      method: 'GET',
      path: '/trpc/runner.get?input=ID',
      headers: json,
    },
    {
      name: 'mutation over GET',
      by: 'handler',
      method: 'GET',
      path: '/trpc/runner.update?input=ID',
    },
    { name: 'unknown procedure', by: 'handler', method: 'GET', path: '/trpc/runner.nope' },
    { name: 'a router, not a procedure', by: 'handler', method: 'GET', path: '/trpc/runner' },
    { name: 'empty path', by: 'handler', method: 'GET', path: '/trpc/' },
    { name: 'prototype key', by: 'handler', method: 'GET', path: '/trpc/__proto__' },
    { name: 'toString', by: 'handler', method: 'GET', path: '/trpc/toString' },
    { name: 'bad percent-encoding', by: 'handler', method: 'GET', path: '/trpc/runner.%E0get' },
    { name: 'fragment', by: 'handler', method: 'GET', path: '/trpc/runner.get?input=ID#x' },
    // Batches.
    {
      name: 'a batch',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.get,runner.list?batch=1&input=${q({ 0: { id: 'ID' }, 1: {} })}`,
    },
    {
      name: 'a batch, 207',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.get,runner.get?batch=1&input=${q({ 0: { id: 'ID' }, 1: { id: missingId } })}`,
    },
    {
      name: 'a batch, one unknown',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.get,runner.x?batch=1&input=${q({ 0: { id: 'ID' } })}`,
    },
    {
      name: 'a batch, mixed types',
      by: 'handler',
      method: 'GET',
      path: '/trpc/runner.get,runner.update?batch=1&input=%7B%7D',
    },
    {
      name: 'a batch, array input',
      by: 'handler',
      method: 'GET',
      path: '/trpc/runner.get?batch=1&input=%5B1%5D',
    },
    {
      name: 'a batch, missing index',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.list,runner.list?batch=1&input=${q({ 1: {} })}`,
    },
    {
      name: 'batch=true is no batch',
      by: 'handler',
      method: 'GET',
      path: '/trpc/runner.get,runner.list?batch=true',
    },
    {
      name: 'an encoded comma',
      by: 'handler',
      method: 'GET',
      path: `/trpc/runner.list%2Crunner.list?batch=1&input=${q({})}`,
    },
    // Mutations over POST.
    {
      name: 'an update',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: '{"id":"ID","name":"renamed"}',
    },
    {
      name: 'an update with charset',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
      body: '{"id":"ID","tags":["a","b"]}',
    },
    {
      name: 'a byte-order mark',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: '\ufeff{"id":"ID","name":"bom"}',
    },
    {
      name: 'invalid update',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: '{"id":"ID","name":""}',
    },
    {
      name: 'stale update',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: '{"id":"ID","name":"x","expected_updated_at":"2000-01-01T00:00:00.000Z"}',
    },
    {
      name: 'body not JSON',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: '{"id":',
    },
    {
      name: 'body not UTF-8',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    },
    {
      name: 'empty body',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: '',
    },
    {
      name: 'body null',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: 'null',
    },
    {
      name: 'missing runner',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.delete',
      headers: json,
      body: `{"id":"${missingId}"}`,
    },
    {
      name: 'health of a missing runner',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.check',
      headers: json,
      body: `{"id":"${missingId}"}`,
    },
    {
      name: 'query over POST',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.get',
      headers: json,
      body: '{"id":"ID"}',
    },
    {
      name: 'input param on POST',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update?input=%7B%7D',
      headers: json,
      body: '{"id":"ID","status":"active"}',
    },
    {
      name: 'a batch of mutations',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update,runner.update?batch=1',
      headers: json,
      body: '{"0":{"id":"ID","name":"one"},"1":{"id":"ID","name":""}}',
    },
    {
      name: 'over 1 MiB',
      by: 'handler',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: json,
      body: `{"id":"ID","name":"${'x'.repeat(1024 * 1024)}"}`,
    },
    // What the handler leaves to the adapter.
    {
      name: 'no content type',
      by: 'adapter',
      method: 'POST',
      path: '/trpc/runner.update',
      body: '{"id":"ID"}',
    },
    {
      name: 'text/plain',
      by: 'adapter',
      method: 'POST',
      path: '/trpc/runner.update',
      headers: { 'content-type': 'text/plain' },
      body: '{"id":"ID"}',
    },
    {
      name: 'form data on GET',
      by: 'adapter',
      method: 'GET',
      path: '/trpc/runner.list',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    },
    {
      name: 'PUT',
      by: 'adapter',
      method: 'PUT',
      path: '/trpc/runner.update',
      headers: json,
      body: '{"id":"ID"}',
    },
    { name: 'HEAD', by: 'adapter', method: 'HEAD', path: '/trpc/runner.list' },
    {
      name: 'streaming asked',
      by: 'adapter',
      method: 'GET',
      path: `/trpc/runner.list?batch=1&input=${q({ 0: {} })}`,
      headers: { 'trpc-accept': 'application/jsonl' },
    },
    { name: 'a nested path', by: 'adapter', method: 'GET', path: '/trpc/x/runner.list' },
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
