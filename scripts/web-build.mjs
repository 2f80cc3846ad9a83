// Builds the dashboard (apps/web) with Vite when apps/web/dist is missing or older than any
// of its sources, so `pnpm start` always serves a current dashboard. Run it directly, or
// import `ensureWebBuild`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'apps/web');
const builtIndex = path.join(webDir, 'dist/index.html');

/** Everything that ends up in the bundle: the app, and the workspace packages it imports. */
const SOURCES = [
  'apps/web/src',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/package.json',
  'packages/contract/src',
  'packages/client/src',
].map((entry) => path.join(root, entry));

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) {
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

/** Why a build is needed, or undefined when dist is current. */
export function staleReason() {
  if (!fs.existsSync(builtIndex)) return 'apps/web/dist is missing';
  const built = fs.statSync(builtIndex).mtimeMs;
  const changed = SOURCES.find((entry) => newestMtime(entry) > built);
  return changed ? `${path.relative(root, changed)} changed since the last build` : undefined;
}

export function ensureWebBuild({ force = false } = {}) {
  const reason = force ? 'a build was asked for' : staleReason();
  if (!reason) return false;
  process.stderr.write(`building the web dashboard (${reason})…\n`);
  const vitePackage = createRequire(path.join(webDir, 'package.json')).resolve('vite/package.json');
  const viteBin = path.join(path.dirname(vitePackage), 'bin/vite.js');
  const result = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`the web dashboard build failed (vite exited with ${result.status})`);
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureWebBuild({ force: process.argv.includes('--force') });
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
