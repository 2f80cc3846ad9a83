import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../src/db/database';
import { preparingClient } from '../src/db/prepared-statements';
import { dialect } from './support/harness';

const PREPARED = 'SELECT name, statement FROM pg_prepared_statements ORDER BY statement';

describe.skipIf(dialect !== 'postgres')(
  'statements prepared once per connection (Postgres only: PGlite runs in process, no planning round trip to save)',
  () => {
    const pools: pg.Pool[] = [];
    afterAll(() => Promise.all(pools.map((pool) => pool.end())));

    /** A pool of one connection (a fresh session) whose client names up to `cap` texts. */
    function onePool(cap: number) {
      const pool = new pg.Pool({
        connectionString: inject('databaseUrl'),
        max: 1,
        Client: preparingClient(cap),
      });
      pools.push(pool);
      return pool;
    }
    const client = (cap: number) => onePool(cap).connect();

    it('names each text once, reuses it with new values, and answers as an unnamed query would', async () => {
      const session = await client(2);
      try {
        const double = 'SELECT $1::int * 2 AS n';
        expect((await session.query(double, [21])).rows).toEqual([{ n: 42 }]);
        expect((await session.query(double, [5])).rows).toEqual([{ n: 10 }]);
        const { rows } = await session.query(PREPARED);
        expect(rows).toEqual([
          { name: expect.stringMatching(/^rr_[0-9a-f]{32}$/), statement: double },
        ]);
      } finally {
        session.release();
      }
    });

    it('stops naming new texts at the cap, which then run unnamed and still answer', async () => {
      const session = await client(2);
      try {
        const texts = [
          'SELECT $1::int + 1 AS n',
          'SELECT $1::int + 2 AS n',
          'SELECT $1::int + 3 AS n',
        ];
        for (const text of texts) {
          expect((await session.query(text, [1])).rows).toHaveLength(1);
        }
        const { rows } = await session.query(PREPARED);
        expect(rows.map((row: { statement: string }) => row.statement)).toEqual(texts.slice(0, 2));
      } finally {
        session.release();
      }
    });

    it("names the form with a callback too, which pg's pool.query uses", async () => {
      const pool = onePool(2);
      const triple = 'SELECT $1::int * 3 AS n';
      expect((await pool.query(triple, [2])).rows).toEqual([{ n: 6 }]);
      expect((await pool.query(triple, [3])).rows).toEqual([{ n: 9 }]);
      const { rows } = await pool.query(PREPARED);
      expect(rows).toEqual([
        { name: expect.stringMatching(/^rr_[0-9a-f]{32}$/), statement: triple },
      ]);
    });

    it('prepares the statements the service runs through its database handle', async () => {
      const database = await openDatabase(
        { kind: 'postgres', url: inject('databaseUrl') ?? '', poolMax: 1 },
        { purpose: 'test' },
      );
      try {
        const text = 'SELECT $1::text || $2::text AS s';
        expect(await database.query(text, ['a', 'b'])).toEqual([{ s: 'ab' }]);
        expect(await database.query(text, ['c', 'd'])).toEqual([{ s: 'cd' }]);
        const rows = await database.query<{ statement: string }>(PREPARED, []);
        expect(rows.map((row) => row.statement)).toContain(text);
      } finally {
        await database.close();
      }
    });

    it('passes other call forms through untouched: a query config, and text without values', async () => {
      const session = await client(2);
      try {
        const named = { name: 'caller_named', text: 'SELECT $1::text AS s', values: ['x'] };
        expect((await session.query(named)).rows).toEqual([{ s: 'x' }]);
        expect((await session.query('SELECT 7 AS n')).rows).toEqual([{ n: 7 }]);
        const { rows } = await session.query(PREPARED);
        expect(rows.map((row: { name: string }) => row.name)).toContain('caller_named');
        expect(rows.map((row: { statement: string }) => row.statement)).not.toContain(
          'SELECT 7 AS n',
        );
      } finally {
        session.release();
      }
    });
  },
);
