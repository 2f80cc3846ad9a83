import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const NODE_ARGS = ['--import', 'tsx'];

/** The real service, as `pnpm start` runs it, on a database of its own. */
export interface Stack {
  readonly url: string;
  readonly token: string;
  readonly logs: string[];
  close(): Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

function listen(
  env: NodeJS.ProcessEnv,
  logs: string[],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'apps/api/src/main.ts'], { cwd: ROOT, env });
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const url = /"url":"(http:[^"]+)"/.exec(line)?.[1];
        if (url && line.includes('listening')) resolve({ child, url });
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code) => reject(new Error(`the service exited with ${code}: ${stderr}`)));
  });
}

async function withAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>) {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * On Postgres (DATABASE_URL set) a database made for this run and dropped after; otherwise the
 * embedded database in a temporary DATA_DIR. The user and token are made with the admin CLI
 * before the server starts, since the embedded database belongs to one process at a time.
 */
export async function startStack(webDistDir: string): Promise<Stack> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-e2e-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    WEB_DIST_DIR: webDistDir,
  };
  const serverUrl = process.env.DATABASE_URL;
  const dbName = `runner_registry_e2e_${randomBytes(6).toString('hex')}`;
  if (serverUrl) {
    await withAdmin(serverUrl, (client) =>
      client.query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`),
    );
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
    // On Postgres the service requires the key that encrypts runner headers.
    env.HEADER_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  }
  const created = await run(
    ['apps/api/src/cli/main.ts', 'create-user', '--email', 'e2e@example.test'],
    env,
  );
  const { token } = JSON.parse(created) as { token: string };
  const logs: string[] = [];
  const { child, url } = await listen(env, logs);
  return {
    url,
    token,
    logs,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      if (serverUrl) {
        await withAdmin(serverUrl, (client) =>
          client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`),
        );
      }
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
