import type { SeededUser } from './bench-database';
import type { BenchCase } from './cases';
import { type LoadResult, runLoad } from './load';
import type { ServerProcess } from './server-process';
import type { Measurement } from './targets';

export interface MatrixOptions {
  readonly dataset: string;
  readonly cases: readonly BenchCase[];
  readonly connections: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly user: SeededUser;
  readonly service: ServerProcess;
  /** The other side of each cell: the floor, or the service on another database. */
  readonly floor?: ServerProcess;
  /** Whose token and runner ids the floor's side uses, where its database is another one. */
  readonly floorUser?: SeededUser;
  /**
   * Runs before each case and connection count. On Postgres it vacuums: the update cases leave
   * dead row versions behind, and a list measured right after them would count those, not
   * the size of the table.
   */
  readonly beforeCase?: () => Promise<void>;
}

/**
 * Every case at every connection count. Service and floor take turns (A B A B…) within each
 * cell, so a noisy neighbour or a checkpoint hits both sides rather than one.
 */
export async function measureMatrix(options: MatrixOptions): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const benchCase of options.cases) {
    for (const connections of options.connections) {
      const targets = options.floor ? [options.service, options.floor] : [options.service];
      const results = new Map<ServerProcess, LoadResult[]>(targets.map((t) => [t, []]));
      await options.beforeCase?.();
      for (const target of targets) {
        await drive(options, target, benchCase, connections, options.warmupSeconds);
      }
      for (let round = 0; round < options.rounds; round++) {
        for (const target of targets) {
          const result = await drive(options, target, benchCase, connections, options.seconds);
          results.get(target)?.push(result);
        }
      }
      const measurement: Measurement = {
        dataset: options.dataset,
        benchCase,
        connections,
        service: combine(results.get(options.service) ?? []),
        ...(options.floor && { floor: combine(results.get(options.floor) ?? []) }),
      };
      report(measurement);
      measurements.push(measurement);
    }
  }
  return measurements;
}

function drive(
  options: MatrixOptions,
  target: ServerProcess,
  benchCase: BenchCase,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const user = target === options.floor && options.floorUser ? options.floorUser : options.user;
  return runLoad({
    url: target.url,
    pid: target.pid,
    token: user.token,
    runnerIds: user.runnerIds,
    benchCase,
    connections,
    seconds,
  });
}

/** Rounds of one cell as one result: the mean of each figure, CPU weighted by requests. */
function combine(results: readonly LoadResult[]): LoadResult {
  const mean = (pick: (r: LoadResult) => number) =>
    results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const perRequest = (pick: (r: LoadResult) => number) =>
    results.reduce((sum, r) => sum + pick(r) * r.requests, 0) / requests;
  return {
    requests,
    reqPerSec: mean((r) => r.reqPerSec),
    p50Ms: mean((r) => r.p50Ms),
    p99Ms: mean((r) => r.p99Ms),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    cpuUsPerRequest: perRequest((r) => r.cpuUsPerRequest),
    dbCpuUsPerRequest: perRequest((r) => r.dbCpuUsPerRequest),
  };
}

function report(m: Measurement): void {
  const floor = m.floor ? `, floor ${Math.round(m.floor.reqPerSec)} req/s` : '';
  process.stderr.write(
    `  ${m.dataset} ${m.benchCase.label} c=${m.connections}: service ${Math.round(m.service.reqPerSec)} req/s${floor}\n`,
  );
}
