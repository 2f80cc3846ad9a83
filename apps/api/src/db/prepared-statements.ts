import { createHash } from 'node:crypto';
import pg from 'pg';

/** Distinct statement texts named per process; texts beyond it run unnamed, as before. */
export const MAX_PREPARED_STATEMENTS = 500;

/**
 * A pg Client that prepares each statement once per connection. Postgres parses and plans an
 * unnamed statement anew on every call; for the service's update (three CTEs) that planning cost
 * more than executing it. pg prepares a named statement on its first use on a connection and
 * reuses it after, so naming a text is all it takes.
 *
 * Every text the service sends comes from its own code with values as parameters, so the set of
 * texts is small and fixed; the cap keeps memory bounded on both sides should that ever change.
 * Only the (text, values) form is named, with or without a callback: Kysely calls it so, and
 * pg's own `pool.query` adds the callback. Any other call passes through untouched.
 */
export function preparingClient(maxStatements = MAX_PREPARED_STATEMENTS): typeof pg.Client {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < maxStatements) {
      name = `rr_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
      names.set(text, name);
    }
    return name;
  };

  return class PreparingClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this forwards them all.
    override query(...args: any[]): any {
      const [text, values, callback] = args;
      const withValues =
        (args.length === 2 || (args.length === 3 && typeof callback === 'function')) &&
        typeof text === 'string' &&
        Array.isArray(values);
      const name = withValues ? nameOf(text) : undefined;
      if (name !== undefined) {
        return args.length === 3
          ? super.query({ name, text, values }, callback)
          : super.query({ name, text, values });
      }
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      return (super.query as (...forwarded: any[]) => any)(...args);
    }
  };
}
