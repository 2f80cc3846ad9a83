import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRunnerClient, errorCode, type RunnerClient } from '@runner-registry/client';
import type { Runner } from '@runner-registry/contract';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FakeComfyUI, startFakeComfyUI } from '../../api/test/support/fake-comfyui';
import { CHROMIUM_ARGS, requireChromiumOrExplainSkip } from './chromium';
import { type Stack, startStack } from './stack';

const chromiumPath = requireChromiumOrExplainSkip();
// The README's screenshots are refreshed with `pnpm --filter @runner-registry/web screenshots`;
// an ordinary run writes them to a temp dir, so tests leave the work tree clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(import.meta.dirname, '../../../docs/screenshots')
  : mkdtempSync(path.join(os.tmpdir(), 'runner-registry-screenshots-'));
const XSS_NAME = '<img src=x onerror=alert(1)>';

describe.skipIf(!chromiumPath)('the dashboard, in Chromium, against the real service', () => {
  let stack: Stack;
  let comfy: FakeComfyUI;
  let browser: Browser;
  let page: Page;
  let api: RunnerClient;
  const dialogs: string[] = [];
  const problems: string[] = [];
  let runner: Runner;

  /** A control by its exact accessible name ("Name" is not "Header name"). */
  const field = (label: string) => page.getByLabel(label, { exact: true });
  const byName = async (name: string) =>
    (await api.runner.list.query({ per_page: 100 })).runners.find((r) => r.name === name);

  beforeAll(async () => {
    const webDistDir = inject('webDistDir');
    if (!webDistDir) throw new Error('the global setup built no dashboard');
    [stack, comfy] = await Promise.all([startStack(webDistDir), startFakeComfyUI()]);
    api = createRunnerClient({ url: stack.url, token: stack.token });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    // Any script the page runs through a dialog (alert, confirm) is recorded, and dismissed.
    page.on('dialog', async (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    // The browser logs every 401, 404 and 409 answer; those are provoked on purpose here.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[149]/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    await fs.mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await comfy?.close();
    await stack?.close();
    if (!process.env.UPDATE_SCREENSHOTS) await fs.rm(SCREENSHOTS, { recursive: true, force: true });
  });

  it('serves the dashboard at / with a CSP, from the API process', async () => {
    const response = await page.goto(`${stack.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await field('API token').waitFor();
  });

  it('refuses a bad token with a clear message', async () => {
    await field('API token').fill('rr_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^That token was not accepted/);
  });

  it('signs in from the keyboard alone, with a token kept in sessionStorage only', async () => {
    // Tab to the token field, type, press Enter: no mouse.
    for (let i = 0; i < 10; i++) {
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('id'));
      if (focused && (await field('API token').getAttribute('id')) === focused) break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(stack.token);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Runners' }).waitFor();
    await page.getByText('No runners yet').waitFor();
    const stored = await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: localStorage.length,
    }));
    expect(stored).toEqual({ session: [stack.token], local: 0 });
  });

  it('creates a runner through the form', async () => {
    await page.getByRole('link', { name: 'New runner' }).click();
    await field('Name').fill('e2e-box');
    await field('Endpoint').fill(comfy.url);
    for (const tag of ['gpu', 'a100']) {
      await field('Tags').fill(tag);
      await field('Tags').press('Enter');
    }
    await page.getByRole('button', { name: 'Add header' }).click();
    await field('Header name').fill('X-Api-Key');
    await field('Header value').fill('sekrit');
    expect(await field('Header value').getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Created e2e-box.').waitFor();

    const stored = await byName('e2e-box');
    expect(stored).toMatchObject({
      endpoint: comfy.url,
      tags: ['gpu', 'a100'],
      headers: { 'X-Api-Key': 'sekrit' },
      status: 'active',
    });
    runner = stored as Runner;
  });

  it('edits its name and tags, sending only those', async () => {
    await field('Name').fill('e2e-box-2');
    await page.getByRole('button', { name: 'Remove tag a100' }).click();
    await field('Tags').fill('h100');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByRole('button', { name: 'Show value of X-Api-Key' }).click();
    expect(await field('Header value').getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: 'Hide value of X-Api-Key' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved e2e-box-2.').waitFor();

    const stored = await api.runner.get.query({ id: runner.id });
    expect(stored).toMatchObject({
      name: 'e2e-box-2',
      tags: ['gpu', 'h100'],
      endpoint: comfy.url,
      headers: { 'X-Api-Key': 'sekrit' },
      created_at: runner.created_at,
    });
    expect(stored.updated_at > runner.updated_at).toBe(true);
    runner = stored;
  });

  it('labels every control on the runner page and reaches each one with Tab', async () => {
    const controls = await page.evaluate(() => {
      const interactive = [
        ...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea'),
      ].filter((el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null);
      const nameOf = (el: HTMLElement) =>
        el.getAttribute('aria-label') ||
        ((el as HTMLInputElement).labels?.[0]?.textContent ?? '') ||
        el.textContent ||
        '';
      interactive.forEach((el, i) => {
        el.dataset.probe = String(i);
      });
      return interactive.map((el) => ({ probe: el.dataset.probe, name: nameOf(el).trim() }));
    });
    expect(controls.length).toBeGreaterThan(10);
    expect(controls.filter((c) => c.name === '')).toEqual([]);
    const reached = new Set<string>();
    for (let i = 0; i < controls.length * 2 + 10; i++) {
      await page.keyboard.press('Tab');
      const probe = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.probe,
      );
      if (probe) reached.add(probe);
    }
    expect(controls.filter((c) => !reached.has(c.probe ?? ''))).toEqual([]);
  });

  it('shows the change in the runner’s history, as the audit trail records it', async () => {
    const history = page.getByRole('region', { name: 'History' });
    await history.getByText('Updated name, tags').waitFor();
    await history.getByText('Created').waitFor();
    const { events } = await api.runner.events.query({ id: runner.id });
    expect(events.map((e) => [e.action, e.changed_fields])).toEqual([
      ['update', ['name', 'tags']],
      ['create', ['name', 'endpoint', 'status', 'tags', 'headers']],
    ]);
  });

  it('answers a stale edit with a plain conflict message, writing nothing', async () => {
    // Someone else renames the runner while this page still shows the old version.
    const elsewhere = await api.runner.update.mutate({ id: runner.id, name: 'renamed-elsewhere' });
    await field('Name').fill('my-stale-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/changed elsewhere since you opened it \(409\)/).waitFor();
    expect((await api.runner.get.query({ id: runner.id })).name).toBe('renamed-elsewhere');
    await page.reload();
    await field('Name').waitFor();
    expect(await field('Name').inputValue()).toBe('renamed-elsewhere');
    // Back to the name the later steps look for.
    runner = await api.runner.update.mutate({ id: elsewhere.id, name: 'e2e-box-2' });
    await page.reload();
    await field('Name').waitFor();
    expect(await field('Name').inputValue()).toBe('e2e-box-2');
  });

  it('shows the contract message next to a bad field and sends nothing', async () => {
    const before = stack.logs.length;
    await field('Endpoint').fill('ftp://nope.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('must use http:// or https://').waitFor();
    expect(stack.logs.slice(before).some((line) => line.includes('runner.update'))).toBe(false);
    await field('Endpoint').fill(comfy.url);
  });

  it('disables it in one click', async () => {
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect((await api.runner.get.query({ id: runner.id })).status).toBe('disabled');
  });

  it('checks its health against a ComfyUI, showing each GPU', async () => {
    const seen = comfy.requests.length;
    await page.getByRole('button', { name: 'Check health' }).click();
    await page.getByText('Reachable', { exact: true }).waitFor();
    await page.getByText('0.3.26').waitFor();
    const meter = page.getByRole('meter', { name: /^VRAM used on cuda:0 NVIDIA GeForce RTX 4090/ });
    expect(Number(await meter.getAttribute('value'))).toBe(25_393_692_672 - 24_117_248_000);
    expect(Number(await meter.getAttribute('max'))).toBe(25_393_692_672);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runner-edit.png'), fullPage: true });
    // The service, not the browser, called the runner, with the runner's stored header.
    const calls = comfy.requests.slice(seen);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/system_stats' });
    expect(calls[0]?.headers['x-api-key']).toBe('sekrit');
  });

  it('lists runners as text: a name made of HTML runs nothing', async () => {
    await api.runner.create.mutate({
      name: XSS_NAME,
      endpoint: 'http://127.0.0.1:8188',
      tags: ['<b>bold</b>', 'cpu'],
    });
    await api.runner.create.mutate({
      name: 'gpu-box-a100',
      endpoint: 'https://comfy-1.internal.example',
      tags: ['gpu', 'a100', 'eu-west'],
    });
    const spare = await api.runner.create.mutate({
      name: 'render-node-7',
      endpoint: 'http://10.0.0.7:8188',
      tags: ['gpu', 'l40s'],
    });
    await api.runner.update.mutate({ id: spare.id, status: 'disabled' });

    await page.getByRole('link', { name: '← All runners' }).click();
    await page.getByRole('heading', { name: 'Runners' }).waitFor();
    await page.getByRole('link', { name: XSS_NAME, exact: true }).waitFor();
    await page.getByText('<b>bold</b>', { exact: true }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('table b').count()).toBe(0);
    await page.getByText('Page 1 of 1 · 4 runners').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runner-list.png'), fullPage: true });

    // Filters ask the API: by status, then by tag.
    await field('Filter by status').selectOption('disabled');
    await page.getByText('Page 1 of 1 · 2 runners').waitFor();
    await field('Filter by tags').fill('l40s');
    await page.getByText('Page 1 of 1 · 1 runner').waitFor();
    await page.getByRole('link', { name: 'render-node-7' }).waitFor();
    await field('Filter by tags').fill('nothing-has-this');
    await page.getByText('No runners match these filters.').waitFor();
    await field('Filter by tags').fill('');
    await field('Filter by status').selectOption('');
    expect(dialogs).toEqual([]);
  });

  it('deletes it after an in-page confirmation', async () => {
    await page.getByRole('link', { name: 'e2e-box-2' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this runner?' });
    await dialog.waitFor();
    // Cancel first: nothing is deleted.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await api.runner.get.query({ id: runner.id })).name).toBe('e2e-box-2');

    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('Deleted e2e-box-2.').waitFor();
    const gone = await api.runner.get.query({ id: runner.id }).catch((error) => error);
    expect(errorCode(gone)).toBe('NOT_FOUND');
    expect((await api.runner.list.query({})).total).toBe(3);
  });

  it('signs out, forgetting the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await field('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await field('API token').waitFor();
  });

  it('ran no dialog and hit no CSP or script error throughout', () => {
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });
});
