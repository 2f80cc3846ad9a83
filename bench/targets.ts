import type { BenchCase } from './cases';
import type { LoadResult } from './load';

export interface Measurement {
  readonly dataset: string;
  readonly benchCase: BenchCase;
  readonly connections: number;
  readonly service: LoadResult;
  /** Absent where the floor was not run (the embedded database). */
  readonly floor?: LoadResult;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean | undefined;
}

const AT = 32;

/**
 * The targets of issue 5, checked against one run's measurements; they never fail the command.
 * `sizes` hold the 1M-against-10k turns: `service` on the 1M database, `floor` on the 10k one.
 */
export function checkTargets(
  measurements: readonly Measurement[],
  sizes: readonly Measurement[] = [],
): TargetCheck[] {
  const find = (dataset: string, key: BenchCase['key']) =>
    measurements.find(
      (m) => m.dataset === dataset && m.benchCase.key === key && m.connections === AT,
    );
  const checks: TargetCheck[] = [];
  for (const key of ['put', 'trpc-update'] as const) {
    const m = find('10k', key);
    const label = key === 'put' ? 'PUT' : 'tRPC update';
    const ratio = m?.floor && m.service.reqPerSec / m.floor.reqPerSec;
    checks.push({
      target: `${label} req/s at ${AT} ≥ 0.8 × floor`,
      measured: ratio === undefined ? 'not measured' : `${ratio.toFixed(2)} × floor`,
      pass: ratio === undefined ? undefined : ratio >= 0.8,
    });
    const p99 = m?.floor && m.service.p99Ms / m.floor.p99Ms;
    checks.push({
      target: `${label} p99 at ${AT} ≤ 1.5 × floor`,
      measured: p99 === undefined ? 'not measured' : `${p99.toFixed(2)} × floor`,
      pass: p99 === undefined ? undefined : p99 <= 1.5,
    });
  }
  for (const [key, label] of [
    ['put', 'update (PUT)'],
    ['list', 'list per_page=10'],
  ] as const) {
    const turns = sizes.find((m) => m.benchCase.key === key && m.connections === AT);
    const ratio = turns?.floor && turns.service.reqPerSec / turns.floor.reqPerSec;
    checks.push({
      target: `${label} req/s at ${AT} with 1M rows within 10% of 10k`,
      measured: ratio === undefined ? 'not measured (--big)' : `${ratio.toFixed(2)} × 10k`,
      pass: ratio === undefined ? undefined : ratio >= 0.9,
    });
  }
  return checks;
}
