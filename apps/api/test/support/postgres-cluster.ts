import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A private Postgres cluster in a temporary directory, for tests that stop and start the
 * database under a running service. Trust auth on 127.0.0.1, user `postgres`, no fsync.
 * As root, its commands run as the `postgres` user (initdb refuses root).
 */
export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: the server goes away at once, as in a crash. */
  stopImmediately(): Promise<void>;
  /** Stops the server if it runs and removes the directory; safe to call twice. */
  destroy(): Promise<void>;
}

function binDir(): string {
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

const asRoot = process.getuid?.() === 0;

/** Runs a Postgres binary, as the postgres user when this process is root. */
async function pg(binary: string, args: string[]): Promise<void> {
  const command = path.join(binDir(), binary);
  const [file, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
  await run(file, argv, { timeout: 60_000 });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 55432 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port for a private Postgres cluster');
}

export async function createPostgresCluster(): Promise<PostgresCluster> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-registry-pg-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  let destroyed = false;
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  await pg('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);

  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await pg('pg_ctl', [
        '-D',
        dataDir,
        '-l',
        path.join(dir, 'server.log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        '-w',
        'start',
      ]);
    },
    async stopImmediately() {
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        // Whether or not it runs: a start cut short may have left a server behind.
        await cluster.stopImmediately().catch(() => undefined);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
