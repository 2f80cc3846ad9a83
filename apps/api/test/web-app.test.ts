import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness';

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the dashboard at /', () => {
  let dir: string;
  let server: TestServer;
  let missing: TestServer;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'web-dist-'));
    await fs.mkdir(path.join(dir, 'assets'));
    await fs.writeFile(path.join(dir, 'index.html'), '<!doctype html><title>dash</title>');
    await fs.writeFile(path.join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    server = await startTestServer({ webDistDir: dir });
    missing = await startTestServer({ webDistDir: path.join(dir, 'nothing-here') });
  });
  afterAll(async () => {
    await server?.close();
    await missing?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with a CSP that allows only its own scripts', async () => {
    const response = await server.fetch('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<title>dash</title>');
  });

  it('serves hashed assets with a long cache', async () => {
    const response = await server.fetch('/assets/app-abc123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('falls back to index.html for a browser navigation, not for other callers', async () => {
    const page = await server.fetch('/runners/5', { headers: HTML });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>dash</title>');
    const api = await server.fetch('/nope');
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'NOT_FOUND' });
    const file = await server.fetch('/assets/missing.js', { headers: HTML });
    expect(file.status).toBe(404);
  });

  it('leaves the API paths to the API', async () => {
    for (const route of ['/v1/runners', '/trpc/nothing', '/docs/nope']) {
      const response = await server.fetch(route, { headers: HTML });
      expect(response.status, route).toBe(404);
      expect(response.headers.get('content-type'), route).toMatch(/json/);
    }
    expect((await server.fetch('/healthz', { headers: HTML })).status).toBe(200);
    expect((await server.fetch('/openapi.json', { headers: HTML })).status).toBe(200);
    // Only whole path segments are the API's: /healthzz is a page like any other.
    expect((await server.fetch('/healthzz', { headers: HTML })).status).toBe(200);
  });

  it('says how to build the dashboard when it is missing, and the API still works', async () => {
    const response = await missing.fetch('/');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toMatch(/not built/);
    expect((await missing.fetch('/healthz')).status).toBe(200);
  });
});
