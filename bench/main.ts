/**
 * `pnpm bench`: measures the service against the floor (bench/floor.ts) on a database of its
 * own, then on the embedded database, and prints the results as Markdown tables.
 * Everything it starts or creates is undone at the end, on error and on Ctrl-C.
 */
import { createBenchDatabase, prepareDatabase, withDatabase } from './bench-database';
import { CASES } from './cases';
import { cleanUp, cleanUpOnSignals } from './cleanup';
import { describeEnvironment } from './environment';
import { measureMatrix } from './measure';
import { parseOptions } from './options';
import { profileCase } from './profile-run';
import { growToRows, vacuumRunners } from './seed';
import { startFloor, startService } from './services';
import { measureStartup } from './startup';
import { markdown, resultsTable, targetsTable } from './table';
import { checkTargets, type Measurement } from './targets';
import { tempDir } from './temp-dir';

const RUNNERS_PER_USER = 10_000;
const BIG_TABLE_ROWS = 1_000_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  cleanUpOnSignals();
  const environment = await describeEnvironment(options.databaseUrl);
  log(environment);

  log(`== Postgres: a fresh database, ${RUNNERS_PER_USER} runners for the measured user`);
  const url = await createBenchDatabase(options.databaseUrl);
  const postgres = { kind: 'postgres', url, poolMax: 2 } as const;
  const user = await withDatabase(postgres, (db) => prepareDatabase(db, RUNNERS_PER_USER));
  const matrix = {
    cases: CASES.filter((c) => options.cases.includes(c.key)),
    connections: options.connections,
    seconds: options.duration,
    warmupSeconds: options.warmup,
    rounds: options.rounds,
    user,
  };
  const measurements: Measurement[] = [];
  const vacuum = () => withDatabase(postgres, (db) => vacuumRunners(db.db));

  let service = await startService({ url });
  const floor = await startFloor(url);
  measurements.push(
    ...(await measureMatrix({ ...matrix, dataset: '10k', service, floor, beforeCase: vacuum })),
  );

  const profiles: Awaited<ReturnType<typeof profileCase>>[] = [];
  if (options.profile) {
    log(
      `== profile: service, then floor, under --cpu-prof through a ${options.profile} run at 32 connections`,
    );
    await service.stop();
    for (const who of ['service', 'floor'] as const) {
      profiles.push(
        await profileCase(who, options.profile, url, user, options.duration, options.warmup),
      );
    }
    service = await startService({ url });
  }

  if (options.big) {
    log(`== Postgres: other users' runners until the table holds ${BIG_TABLE_ROWS} rows`);
    const started = performance.now();
    await withDatabase(postgres, (db) => growToRows(db.db, BIG_TABLE_ROWS, RUNNERS_PER_USER));
    log(`   seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Only the cases the 1M targets compare: an update and the list.
    const cases = matrix.cases.filter((c) => c.key === 'put' || c.key === 'list');
    measurements.push(
      ...(await measureMatrix({
        ...matrix,
        cases,
        dataset: '1M',
        service,
        floor,
        beforeCase: vacuum,
      })),
    );
  }
  await service.stop();
  await floor.stop();

  let startup: number[] = [];
  if (options.embedded) {
    log('== embedded database (PGlite): PUT update, then `pnpm start` until /healthz answers');
    const dataDir = tempDir('embedded');
    const embedded = { kind: 'embedded', dataDir } as const;
    const embeddedUser = await withDatabase(embedded, (db) =>
      prepareDatabase(db, RUNNERS_PER_USER),
    );
    const embeddedService = await startService({ dataDir });
    const put = CASES.filter((c) => c.key === 'put');
    measurements.push(
      ...(await measureMatrix({
        ...matrix,
        cases: put,
        user: embeddedUser,
        dataset: 'embedded',
        service: embeddedService,
      })),
    );
    await embeddedService.stop();
    startup = await measureStartup(dataDir, 3);
  }

  const out: string[] = [environment, '', resultsTable(measurements), ''];
  out.push(targetsTable(checkTargets(measurements)), '');
  if (startup.length > 0) {
    const ms = startup.map((s) => Math.round(s));
    out.push(`pnpm start → first 200 from /healthz (embedded, existing data): ${ms.join(', ')} ms`);
  }
  for (const { file, summary } of profiles) {
    out.push('', `Profile ${file}, ${Math.round(summary.busyMs)} ms busy:`, '');
    const hot = (list: typeof summary.functions) =>
      list.map((h) => [h.name, `${h.selfPercent.toFixed(1)}%`]);
    out.push(markdown(['function', 'self'], hot(summary.functions)), '');
    out.push(markdown(['package', 'self'], hot(summary.packages)));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  })
  .finally(() => cleanUp());
