import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { chromiumPath } from './chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A fresh production build of the dashboard, or undefined when the suite is skipped. */
    webDistDir: string | undefined;
  }
}

const WEB_DIR = path.resolve(import.meta.dirname, '..');

/** Builds the dashboard once per run, into a directory of its own, for the server to serve. */
export default async function setup(project: TestProject) {
  if (!chromiumPath()) {
    project.provide('webDistDir', undefined);
    return;
  }
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-web-'));
  await build({
    root: WEB_DIR,
    configFile: path.join(WEB_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  project.provide('webDistDir', outDir);
  return () => fs.rm(outDir, { recursive: true, force: true });
}
