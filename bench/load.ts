import autocannon from 'autocannon';
import type { BenchCase } from './cases';
import { cpuSeconds, postgresCpuSeconds } from './cpu-time';

export interface LoadResult {
  readonly requests: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses other than 2xx, plus socket errors and timeouts: any of them spoils the run. */
  readonly failures: number;
  /** CPU time of the measured server process per request, in microseconds. */
  readonly cpuUsPerRequest: number;
  /** CPU time of the local Postgres processes per request, in microseconds. */
  readonly dbCpuUsPerRequest: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly pid: number;
  readonly token: string;
  readonly runnerIds: readonly string[];
  readonly benchCase: BenchCase;
  readonly connections: number;
  readonly seconds: number;
}

/** Drives one server with one case for `seconds`, counting the server's CPU time meanwhile. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { benchCase, runnerIds } = options;
  let sequence = 0;
  const pick = () => runnerIds[Math.floor(Math.random() * runnerIds.length)] as string;
  const cpuBefore = cpuSeconds(options.pid);
  const dbCpuBefore = postgresCpuSeconds();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: benchCase.method,
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
    },
    // setupRequest runs before every request, so each one carries a different random id.
    requests: [
      {
        setupRequest: (request) => {
          const { path, body } = benchCase.next(pick, sequence++);
          return { ...request, path, ...(body !== undefined && { body }) };
        },
      },
    ],
  });
  const cpuUsed = cpuSeconds(options.pid) - cpuBefore;
  const dbCpuUsed = postgresCpuSeconds() - dbCpuBefore;
  const requests = result.requests.total;
  return {
    requests,
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuUsPerRequest: requests > 0 ? (cpuUsed * 1e6) / requests : Number.NaN,
    dbCpuUsPerRequest: requests > 0 ? (dbCpuUsed * 1e6) / requests : Number.NaN,
  };
}
