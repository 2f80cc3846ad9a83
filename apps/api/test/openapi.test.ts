import fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenApiDocument } from '../src/rest/openapi';
import { restRoutes } from '../src/rest/routes';
import { OPENAPI_FILE, serializeDocument } from '../src/rest/write-openapi';
import { RUNNER_FIELDS } from './cases/runner-fields';
import { startTestServer, type TestServer } from './support/harness';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
type Json = Record<string, any>;
const document = createOpenApiDocument() as Json;

describe('the OpenAPI document', () => {
  it('is committed exactly as the code generates it', () => {
    const committed = fs.readFileSync(OPENAPI_FILE, 'utf8');
    expect(
      committed === serializeDocument(),
      'apps/api/openapi.json is stale: run `pnpm openapi` and commit the result',
    ).toBe(true);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const parsed = (await SwaggerParser.validate(structuredClone(document) as never)) as Json;
    expect(parsed.openapi).toBe('3.1.0');
  });

  it('describes every route with an operationId, a summary, bearer security and every error', () => {
    for (const route of restRoutes) {
      const operation = document.paths[route.path]?.[route.method];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.operationId);
      expect(operation.summary).toBeTruthy();
      expect(operation.security).toEqual([{ bearerAuth: [] }]);
      const statuses = Object.keys(operation.responses).map(Number);
      expect(statuses).toContain(route.successStatus);
      const expectedErrors = [
        401,
        500,
        503,
        ...route.errors,
        ...(route.request.body ? [413, 415] : []),
      ];
      for (const status of expectedErrors) {
        expect(statuses, `${route.operationId} documents ${status}`).toContain(status);
        expect(operation.responses[status].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('names operations after their procedures', () => {
    const ids = Object.fromEntries(restRoutes.map((r) => [r.operationId, r.procedure]));
    expect(ids).toMatchObject({
      createRunner: 'runner.create',
      getRunner: 'runner.get',
      listRunners: 'runner.list',
      updateRunner: 'runner.update',
      patchRunner: 'runner.update',
      deleteRunner: 'runner.delete',
    });
  });

  it('carries the contract’s constraints into the schemas', () => {
    const runner = document.components.schemas.Runner;
    expect(runner.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
    expect(runner.properties.id).toMatchObject({ format: 'uuid' });
    expect(runner.properties.endpoint).toMatchObject({ format: 'uri', maxLength: 2048 });
    expect(runner.properties.tags).toMatchObject({ maxItems: 10, items: { maxLength: 64 } });
    expect(runner.properties.status.enum).toEqual(['active', 'disabled']);
    expect(runner.properties.created_at).toMatchObject({ format: 'date-time' });
    expect(runner.properties.headers).toMatchObject({ maxProperties: 32 });
    expect(runner.required.sort()).toEqual([...RUNNER_FIELDS]);

    const update = document.components.schemas.RunnerUpdate;
    expect(update.required ?? []).toEqual([]);
    expect(update.additionalProperties).toBe(false);
    expect(Object.keys(update.properties).sort()).toEqual([
      'endpoint',
      'expected_updated_at',
      'headers',
      'name',
      'status',
      'tags',
    ]);
    const put = document.paths['/v1/runner/{id}'].put;
    expect(put.parameters.map((p: Json) => [p.in, p.name])).toContainEqual(['header', 'If-Match']);
    expect(put.responses[200].headers.ETag).toBeDefined();
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['409', '412']));

    const list = document.paths['/v1/runner'].get.parameters as Json[];
    const perPage = list.find((p) => p.name === 'per_page');
    expect(perPage?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    const error = document.components.schemas.Error;
    expect(error.required.sort()).toEqual(['code', 'message', 'status']);
  });
});

describe('the served document and reference', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('serves /openapi.json as generated', async () => {
    const response = await server.fetch('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(serializeDocument()));
  });

  it('serves an interactive reference at /docs with its assets, without a CDN', async () => {
    const page = await server.fetch('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/swagger-ui.css',
      '/docs/init.js',
    ]) {
      const response = await server.fetch(asset);
      expect(response.status, asset).toBe(200);
      expect((await response.text()).length, asset).toBeGreaterThan(100);
    }
    expect(await (await server.fetch('/docs/init.js')).text()).toContain("'/openapi.json'");
  });
});
