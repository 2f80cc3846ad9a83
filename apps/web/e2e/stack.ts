import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  adminUrl,
  createTestDatabase,
  dropTestDatabase,
} from '../../api/test/support/postgres-admin';
import { runAdmin, startService } from '../../api/test/support/processes';

/** The real service, as `pnpm start` runs it, on a database of its own. */
export interface Stack {
  readonly url: string;
  readonly token: string;
  readonly logs: string[];
  close(): Promise<void>;
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
    WEB_DIST_DIR: webDistDir,
  };
  const serverUrl = process.env.DATABASE_URL;
  const dbName = `runner_registry_e2e_${randomBytes(6).toString('hex')}`;
  if (serverUrl) {
    env.DATABASE_URL = await createTestDatabase(serverUrl, dbName);
    // On Postgres the service requires the key that encrypts runner headers.
    env.HEADER_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  }
  const created = await runAdmin(['create-user', '--email', 'e2e@example.test'], env);
  if (created.code !== 0) throw new Error(`create-user exited ${created.code}: ${created.stderr}`);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const service = await startService(env);
  return {
    url: service.url,
    token,
    logs: service.logs,
    async close() {
      service.child.kill('SIGTERM');
      await service.exited;
      if (serverUrl) await dropTestDatabase(adminUrl(serverUrl), dbName);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
