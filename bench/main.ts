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
import { prime } from './prime';
import { profileCase } from './profile-run';
import { growToRows, vacuumRunners } from './seed';
import { startFloor, startService } from './services';
import { measureStartup } from './startup';
import { markdown, resultsTable, sizesTable, targetsTable } from './table';
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
  log('== priming: each server reads every runner of the measured user once');
  await prime(service, user);
  await prime(floor, user);
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
    await prime(service, user);
  }

  let sizes: Measurement[] = [];
  if (options.big) {
    log(
      `== Postgres: a second database, the measured user's ${RUNNERS_PER_USER} runners and other users' until it holds ${BIG_TABLE_ROWS} rows`,
    );
    const started = performance.now();
    const bigUrl = await createBenchDatabase(options.databaseUrl);
    const big = { kind: 'postgres', url: bigUrl, poolMax: 2 } as const;
    const bigUser = await withDatabase(big, async (db) => {
      const seeded = await prepareDatabase(db, RUNNERS_PER_USER);
      await growToRows(db.db, BIG_TABLE_ROWS, RUNNERS_PER_USER);
      return seeded;
    });
    log(`   seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The 1M targets compare an update and the list with their cost at 10k. Measured at
    // different times, the machine's drift alone moved the floor by a fifth between the two,
    // so the service on each database takes turns, like service and floor above.
    log('== 1M rows against 10k: the service on each database in turn');
    const bigService = await startService({ url: bigUrl });
    await prime(bigService, bigUser);
    sizes = await measureMatrix({
      ...matrix,
      cases: matrix.cases.filter((c) => c.key === 'put' || c.key === 'list'),
      dataset: '1M',
      service: bigService,
      user: bigUser,
      floor: service,
      floorUser: user,
      beforeCase: async () => {
        await vacuum();
        await withDatabase(big, (db) => vacuumRunners(db.db));
      },
    });
    await bigService.stop();
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
    await prime(embeddedService, embeddedUser);
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
  if (sizes.length > 0) out.push(sizesTable(sizes), '');
  out.push(targetsTable(checkTargets(measurements, sizes)), '');
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
