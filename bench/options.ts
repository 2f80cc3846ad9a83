import { parseArgs } from 'node:util';
import { type BenchCase, CASES } from './cases';

export interface BenchOptions {
  /** Seconds of measured load per case and target. */
  readonly duration: number;
  /** Seconds of unmeasured load before each measurement. */
  readonly warmup: number;
  readonly connections: readonly number[];
  /** Case keys to run (put, trpc-update, get, list); all by default. */
  readonly cases: readonly string[];
  /** Grow the runners table to 1,000,000 rows and measure again. */
  readonly big: boolean;
  /** Profile the service (and the floor) through a run of this case and print the hot spots. */
  readonly profile: BenchCase['key'] | undefined;
  /** Alternating rounds per case: service, floor, service, floor… */
  readonly rounds: number;
  readonly embedded: boolean;
  readonly databaseUrl: string;
}

const USAGE = `pnpm bench [--quick] [--duration S] [--connections 8,32,64] [--cases put,trpc-update,get,list] [--rounds N] [--big] [--profile [--profile-case put|trpc-update|get|list]] [--no-embedded]`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string', default: '8,32,64' },
      cases: { type: 'string', default: 'put,trpc-update,get,list' },
      rounds: { type: 'string' },
      big: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'profile-case': { type: 'string', default: 'put' },
      'no-embedded': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  // --quick is a smoke run: it shows that every piece works, not how fast it is.
  const duration = number('--duration', values.duration ?? (values.quick ? '2' : '10'));
  const connections = values.connections.split(',').map((c) => number('--connections', c));
  return {
    duration,
    warmup: values.quick ? 1 : Math.min(3, duration),
    connections,
    cases: values.cases.split(','),
    big: values.big,
    profile: values.profile ? caseKey(values['profile-case']) : undefined,
    rounds: number('--rounds', values.rounds ?? (values.quick ? '1' : '3')),
    embedded: !values['no-embedded'],
    databaseUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function number(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`${flag} must be a positive integer, got "${value}"\n${USAGE}`);
  }
  return parsed;
}

function caseKey(value: string): BenchCase['key'] {
  const found = CASES.find((c) => c.key === value);
  if (!found)
    throw new Error(
      `--profile-case must be one of ${CASES.map((c) => c.key).join(', ')}\n${USAGE}`,
    );
  return found.key;
}
