import os from 'node:os';
import pg from 'pg';

/** What the numbers were measured on, printed with them. */
export async function describeEnvironment(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let postgres: string;
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    postgres = rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${os.availableParallelism()} cores (${cpu}), ${memory} RAM, ${os.type()} ${os.release()}`,
    `node: ${process.version}, Postgres ${postgres} on ${new URL(databaseUrl).host}`,
  ].join('\n');
}
