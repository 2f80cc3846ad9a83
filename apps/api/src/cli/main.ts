import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createTokenRepository, UnknownUserError, UserExistsError } from '../auth/token-repository';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { EmbeddedDatabaseBusyError } from '../db/embedded-lock';
import { migrateToLatest } from '../db/migrate';
import { HeaderKeyError } from '../runners/header-cipher';
import { loadHeaderCipher } from '../runners/header-keys';
import { rotateHeaderKey } from '../runners/rotate-header-key';
import { parseDuration } from './duration';

const USAGE = `Usage: pnpm admin <command> [options]

Commands:
  create-user  --email E [--expires-in 30d]   create a user and its first API token
  create-token --email E [--expires-in 30d]   issue another API token for a user
  revoke-token --token T | --id TOKEN_ID      revoke an API token
  list-tokens  --email E                      list a user's tokens (never the tokens themselves)
  rotate-key                                  re-encrypt runner headers under HEADER_ENCRYPTION_KEY
                                              (old keys in HEADER_ENCRYPTION_OLD_KEYS)
  migrate                                     apply pending database migrations

Each command prints one JSON line to stdout. A token is shown once: store it now.
It uses DATABASE_URL if set, otherwise the embedded database in DATA_DIR (default .data).`;

class UsageError extends Error {}

const Email = z.email({ error: 'must be an email address' }).max(320);

function required(value: string | undefined, option: string): string {
  if (!value) throw new UsageError(`${option} is required`);
  return value;
}

function email(value: string | undefined): string {
  const parsed = Email.safeParse(required(value, '--email'));
  if (!parsed.success) throw new UsageError(`--email ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function expiry(value: string | undefined): Date | null {
  if (value === undefined) return null;
  try {
    return new Date(Date.now() + parseDuration(value));
  } catch (error) {
    throw new UsageError(`--expires-in: ${(error as Error).message}`);
  }
}

async function run(argv: string[]): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      'expires-in': { type: 'string' },
      token: { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || !command) throw new UsageError('');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  // Validate every argument before touching the database.
  const action = prepare(command, values);

  const config = loadConfig();
  const database = await openDatabase(config.database, { purpose: `pnpm admin ${command}` });
  try {
    await migrateToLatest(database.db);
    return await action({
      tokens: createTokenRepository(database.db),
      rotate: () => rotateHeaderKey(database.db, loadHeaderCipher(config)),
    });
  } finally {
    await database.close();
  }
}

type Options = { email?: string; 'expires-in'?: string; token?: string; id?: string };
interface Tools {
  readonly tokens: ReturnType<typeof createTokenRepository>;
  readonly rotate: () => Promise<number>;
}
type Action = (tools: Tools) => Promise<unknown>;

function prepare(command: string, values: Options): Action {
  switch (command) {
    case 'create-user': {
      const address = email(values.email);
      const expiresAt = expiry(values['expires-in']);
      return async ({ tokens }) => {
        const issued = await tokens.createUser(address, expiresAt);
        return { user_id: issued.userId, token: issued.token };
      };
    }
    case 'create-token': {
      const address = email(values.email);
      const expiresAt = expiry(values['expires-in']);
      return async ({ tokens }) => {
        const issued = await tokens.createToken(address, expiresAt);
        return {
          user_id: issued.userId,
          token_id: issued.tokenId,
          token: issued.token,
          expires_at: issued.expiresAt?.toISOString() ?? null,
        };
      };
    }
    case 'revoke-token': {
      if (Boolean(values.token) === Boolean(values.id)) {
        throw new UsageError('revoke-token takes exactly one of --token or --id');
      }
      if (values.id && !z.guid().safeParse(values.id).success) {
        throw new UsageError('--id must be a token id (a UUID) as list-tokens prints it');
      }
      const by = values.token ? { token: values.token } : { tokenId: values.id as string };
      return async ({ tokens }) => {
        const revoked = await tokens.revoke(by);
        if (!revoked) throw new Error('No such token, or it was revoked already');
        return { revoked: true };
      };
    }
    case 'list-tokens': {
      const address = email(values.email);
      return async ({ tokens }) => ({ tokens: await tokens.listTokens(address) });
    }
    case 'rotate-key':
      return async ({ rotate }) => ({ reencrypted: await rotate() });
    case 'migrate':
      return async () => ({ migrated: true });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(error.message ? `${error.message}\n\n${USAGE}\n` : `${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    const known =
      error instanceof ConfigError ||
      error instanceof EmbeddedDatabaseBusyError ||
      error instanceof UserExistsError ||
      error instanceof UnknownUserError ||
      error instanceof HeaderKeyError ||
      (error instanceof Error && error.name === 'Error') ||
      (error instanceof TypeError &&
        'code' in error &&
        String(error.code).startsWith('ERR_PARSE_ARGS'));
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(known ? `${message}\n` : `admin command failed: ${message}\n`);
    process.exitCode = 1;
  },
);
