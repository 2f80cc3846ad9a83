import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { onCleanup } from './cleanup';

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** The pid whose CPU time is the server's: the node process itself, not a wrapper. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  readonly cwd?: string;
  readonly readyTimeoutMs?: number;
}

/**
 * Spawns a server in a process group of its own (so stopping it also stops anything it
 * spawned) and resolves once GET /healthz answers 200.
 */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    // Logs go nowhere, but the server still formats and writes every line it would in production.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not spawn ${options.command}`);

  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const forget = onCleanup(`stop ${options.name}`, stop);

  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHealth(url, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    forget();
    throw new Error(`${options.name} did not start: ${String(error)}\n${stderr}`);
  }
  return {
    name: options.name,
    url,
    child,
    pid,
    async stop() {
      await stop();
      forget();
    },
  };
}

/** Polls /healthz every 10 ms until it answers 200. */
export async function waitForHealth(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no 200 from ${url}/healthz within ${timeoutMs} ms`);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
