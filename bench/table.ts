import type { Measurement, TargetCheck } from './targets';

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ratio = (service: number, floor: number | undefined) =>
  floor === undefined ? '–' : (service / floor).toFixed(2);

/** The results as a Markdown table, to read in a terminal and paste into docs/performance.md. */
export function resultsTable(measurements: readonly Measurement[]): string {
  const header = [
    'data',
    'case',
    'conns',
    'req/s',
    'floor req/s',
    'req/s ÷ floor',
    'p50 ms',
    'p99 ms',
    'floor p50 / p99 ms',
    'p99 ÷ floor',
    'CPU µs/req',
    'floor CPU µs/req',
    'Postgres CPU µs/req',
    'floor Postgres CPU µs/req',
    'failed',
  ];
  const rows = measurements.map(({ dataset, benchCase, connections, service, floor }) => [
    dataset,
    benchCase.label,
    String(connections),
    fixed(service.reqPerSec),
    floor ? fixed(floor.reqPerSec) : '–',
    ratio(service.reqPerSec, floor?.reqPerSec),
    fixed(service.p50Ms, 1),
    fixed(service.p99Ms, 1),
    floor ? `${fixed(floor.p50Ms, 1)} / ${fixed(floor.p99Ms, 1)}` : '–',
    ratio(service.p99Ms, floor?.p99Ms),
    fixed(service.cpuUsPerRequest),
    floor ? fixed(floor.cpuUsPerRequest) : '–',
    // The embedded database runs inside the service: its CPU is in the service's figure.
    dataset === 'embedded' ? '–' : fixed(service.dbCpuUsPerRequest),
    floor ? fixed(floor.dbCpuUsPerRequest) : '–',
    String(service.failures + (floor?.failures ?? 0)),
  ]);
  return markdown(header, rows);
}

/** 1M against 10k, measured in turns: `service` ran on the 1M database, `floor` on the 10k one. */
export function sizesTable(sizes: readonly Measurement[]): string {
  const header = [
    'case',
    'conns',
    'req/s 1M',
    'req/s 10k',
    '1M ÷ 10k',
    'p99 ms 1M / 10k',
    'CPU µs/req 1M / 10k',
    'Postgres CPU µs/req 1M / 10k',
    'failed',
  ];
  const rows = sizes.map(({ benchCase, connections, service: big, floor: small }) => [
    benchCase.label,
    String(connections),
    fixed(big.reqPerSec),
    small ? fixed(small.reqPerSec) : '–',
    ratio(big.reqPerSec, small?.reqPerSec),
    `${fixed(big.p99Ms, 1)} / ${small ? fixed(small.p99Ms, 1) : '–'}`,
    `${fixed(big.cpuUsPerRequest)} / ${small ? fixed(small.cpuUsPerRequest) : '–'}`,
    `${fixed(big.dbCpuUsPerRequest)} / ${small ? fixed(small.dbCpuUsPerRequest) : '–'}`,
    String(big.failures + (small?.failures ?? 0)),
  ]);
  return markdown(header, rows);
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  const verdict = (pass: boolean | undefined) =>
    pass === undefined ? 'n/a' : pass ? 'pass' : 'FAIL';
  return markdown(
    ['target', 'measured', 'result'],
    checks.map((c) => [c.target, c.measured, verdict(c.pass)]),
  );
}

export function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
