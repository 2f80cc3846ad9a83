import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { onCleanup } from './cleanup';
import { freePort } from './free-port';
import { waitForHealth } from './server-process';
import { REPO_ROOT, serviceEnv } from './services';

/**
 * Milliseconds from spawning `pnpm start` on an existing embedded database to the first 200
 * from /healthz: what an operator waits for after a restart. The median of `times` starts.
 */
export async function measureStartup(dataDir: string, times: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn('pnpm', ['start'], {
      cwd: REPO_ROOT,
      env: { ...serviceEnv({ dataDir }, port), LOG_LEVEL: 'warn' },
      detached: true,
      stdio: 'ignore',
    });
    const pid = child.pid as number;
    const exited = once(child, 'exit');
    // pnpm runs node as its child: the whole process group goes.
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-pid, 'SIGTERM');
      await exited;
    };
    const forget = onCleanup('stop pnpm start', stop);
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, child, 60_000);
      samples.push(performance.now() - started);
    } finally {
      await stop();
      forget();
    }
  }
  return samples.sort((a, b) => a - b);
}
