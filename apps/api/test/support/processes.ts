import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const API_DIR = path.resolve(import.meta.dirname, '../..');
// As the package scripts run them: one Node process with tsx's loader, so signals reach it directly.
const NODE_ARGS = ['--import', 'tsx'];

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pnpm admin …` the way the root script does: tsx on the CLI entry. */
export function runAdmin(args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, 'src/cli/main.ts', ...args], {
      cwd: API_DIR,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logs: string[];
  /** What the process wrote to stderr: nothing, unless it failed. */
  readonly stderr: () => string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

/** Starts `pnpm start`'s entry on an ephemeral port and waits until it listens. */
export function startService(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'src/main.ts'], {
    cwd: API_DIR,
    env: { PORT: '0', HOST: '127.0.0.1', ...env },
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const url = /"url":"(http:[^"]+)"/.exec(line)?.[1];
        if (url && line.includes('listening')) {
          resolve({ child, url, logs, exited, stderr: () => stderr });
        }
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    exited.then((code) => reject(new Error(`service exited with ${code}: ${stderr}`)));
  });
}
