import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { preparingClient } from '../src/db/prepared-statements';
import { dialect } from './support/harness';

const PREPARED = 'SELECT name, statement FROM pg_prepared_statements ORDER BY statement';

describe.skipIf(dialect !== 'postgres')(
  'statements prepared once per connection (Postgres only: PGlite runs in process, no planning round trip to save)',
  () => {
    let pool: pg.Pool;

    beforeAll(() => {
      // One connection, so every query below sees the same session's prepared statements.
      pool = new pg.Pool({
        connectionString: inject('databaseUrl'),
        max: 1,
        Client: preparingClient(2),
      });
    });
    afterAll(() => pool.end());

    it('names each text once, reuses it with new values, and answers as an unnamed query would', async () => {
      const client = await pool.connect();
      try {
        const double = 'SELECT $1::int * 2 AS n';
        expect((await client.query(double, [21])).rows).toEqual([{ n: 42 }]);
        expect((await client.query(double, [5])).rows).toEqual([{ n: 10 }]);
        const { rows } = await client.query(PREPARED);
        expect(rows).toEqual([
          { name: expect.stringMatching(/^rr_[0-9a-f]{32}$/), statement: double },
        ]);
      } finally {
        client.release();
      }
    });

    it('stops naming new texts at the cap, which then run unnamed and still answer', async () => {
      const client = await pool.connect();
      try {
        const texts = ['SELECT $1::int + 1 AS n', 'SELECT $1::int + 2 AS n'];
        for (const text of texts) {
          expect((await client.query(text, [1])).rows).toHaveLength(1);
        }
        const { rows } = await client.query(PREPARED);
        // The first test's text and one of these fill the cap of two; the last is not kept.
        expect(rows.map((row: { statement: string }) => row.statement)).toEqual(
          ['SELECT $1::int * 2 AS n', texts[0]].sort(),
        );
      } finally {
        client.release();
      }
    });

    it('passes other call forms through untouched: a query config, and text without values', async () => {
      const client = await pool.connect();
      try {
        const named = { name: 'caller_named', text: 'SELECT $1::text AS s', values: ['x'] };
        expect((await client.query(named)).rows).toEqual([{ s: 'x' }]);
        expect((await client.query('SELECT 7 AS n')).rows).toEqual([{ n: 7 }]);
        const { rows } = await client.query(PREPARED);
        expect(rows.map((row: { name: string }) => row.name)).toContain('caller_named');
        expect(rows.map((row: { statement: string }) => row.statement)).not.toContain(
          'SELECT 7 AS n',
        );
      } finally {
        client.release();
      }
    });
  },
);
