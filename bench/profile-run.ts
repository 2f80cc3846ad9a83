import fs from 'node:fs';
import path from 'node:path';
import type { SeededUser } from './bench-database';
import { type BenchCase, CASES } from './cases';
import { runLoad } from './load';
import { type ProfileSummary, summarizeProfile } from './profile-summary';
import type { ServerProcess } from './server-process';
import { REPO_ROOT, startFloor, startService } from './services';
import { tempDir } from './temp-dir';

const START: Record<'service' | 'floor', (url: string, flags: string[]) => Promise<ServerProcess>> =
  {
    service: (url, flags) => startService({ url }, flags),
    floor: (url, flags) => startFloor(url, flags),
  };

/**
 * Runs the service (or the floor, to compare) under `node --cpu-prof` through a run of one case
 * at 32 connections; V8 writes the profile when the process exits. Answers the summary and where
 * the raw profile was copied.
 */
export async function profileCase(
  who: keyof typeof START,
  key: BenchCase['key'],
  databaseUrl: string,
  user: SeededUser,
  seconds: number,
  warmupSeconds: number,
): Promise<{ summary: ProfileSummary; file: string }> {
  const dir = tempDir('profile');
  const service = await START[who](databaseUrl, ['--cpu-prof', '--cpu-prof-dir', dir]);
  const benchCase = CASES.find((c) => c.key === key);
  if (!benchCase) throw new Error(`no case ${key}`);
  const load = { url: service.url, pid: service.pid, token: user.token, benchCase };
  await runLoad({ ...load, runnerIds: user.runnerIds, connections: 32, seconds: warmupSeconds });
  await runLoad({ ...load, runnerIds: user.runnerIds, connections: 32, seconds });
  await service.stop();
  const written = fs.readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!written) throw new Error(`the ${who} wrote no .cpuprofile`);
  // Kept beside the repository (git ignores *.cpuprofile) to open in Chrome DevTools.
  const file = path.join(REPO_ROOT, 'bench', `${who}-${key}.cpuprofile`);
  fs.copyFileSync(path.join(dir, written), file);
  return { summary: summarizeProfile(file, REPO_ROOT), file };
}
