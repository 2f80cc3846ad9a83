import fs from 'node:fs';
import path from 'node:path';

/** The embedded database lives in one process at a time; a second opener would corrupt it. */
export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const who = holder.purpose === 'server' ? 'the server' : `"${holder.purpose}"`;
    super(
      `The embedded database in ${dataDir} is in use by ${who} (pid ${holder.pid}). ` +
        (holder.purpose === 'server'
          ? 'Stop the server (Ctrl-C or SIGTERM), run this command, then start the server again; ' +
            'or set DATABASE_URL to use a Postgres that both can share.'
          : 'Wait for it to finish and try again.') +
        ` If no such process is running, delete ${path.join(dataDir, LOCK_FILE)}.`,
    );
  }
}

interface LockHolder {
  readonly pid: number;
  readonly purpose: string;
  readonly since: string;
}

const LOCK_FILE = 'embedded.lock';

export interface EmbeddedLock {
  release(): void;
}

export function acquireEmbeddedLock(dataDir: string, purpose: string): EmbeddedLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(holder), { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          fs.rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(lockPath);
      if (current && isAlive(current.pid) && current.pid !== process.pid) {
        throw new EmbeddedDatabaseBusyError(dataDir, current);
      }
      // Left behind by a process that died: take it over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number') return undefined;
    return {
      pid: value.pid,
      purpose: String(value.purpose ?? 'unknown'),
      since: String(value.since),
    };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
