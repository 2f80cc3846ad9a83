import fs from 'node:fs';
import path from 'node:path';

interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  /** Share of the busy (non-idle) samples, in percent. */
  readonly selfPercent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly functions: readonly HotSpot[];
  readonly packages: readonly HotSpot[];
}

/** Self time per function and per package from a V8 .cpuprofile, idle time left out. */
export function summarizeProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((nodeId, i) => {
    selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (us === 0 || functionName === '(idle)') continue;
    busy += us;
    const where = location(url, repoRoot);
    const name = `${functionName || '(anonymous)'}${where.file ? ` ${where.file}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byPackage.set(where.pkg, (byPackage.get(where.pkg) ?? 0) + us);
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfPercent: (100 * us) / busy }));
  return { busyMs: busy / 1000, functions: rank(byFunction), packages: rank(byPackage) };
}

/** Where a frame's code lives: an npm package, the project, Node itself, or V8. */
function location(url: string, repoRoot: string): { pkg: string; file: string } {
  if (!url) return { pkg: '(V8 / native)', file: '' };
  if (url.startsWith('node:')) return { pkg: 'node internals', file: url };
  const filePath = url.startsWith('file://') ? new URL(url).pathname : url;
  const inPackage = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(filePath);
  if (inPackage) return { pkg: inPackage[1] as string, file: `${inPackage[1]}/${inPackage[2]}` };
  const relative = path.relative(repoRoot, filePath);
  const workspace = /^(apps\/[^/]+|packages\/[^/]+|bench)\//.exec(relative);
  return { pkg: workspace ? (workspace[1] as string) : relative, file: relative };
}
