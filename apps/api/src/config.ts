import path from 'node:path';
import { z } from 'zod';
import type { OutboundOptions } from './runners/runner-http';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int({ error: 'must be a port number' })
  .min(0, { error: 'must be a port number from 0 to 65535' })
  .max(65535, { error: 'must be a port number from 0 to 65535' });

const positiveInt = z.coerce
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

const base64Key = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes in base64 (44 characters)' });
      return z.NEVER;
    }
    return key;
  });

const ConfigSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      error: 'must be a postgres:// or postgresql:// URL',
    }),
  DATA_DIR: z.string().min(1).default('.data'),
  WEB_DIST_DIR: z.string().min(1).optional(),
  DATABASE_POOL_MAX: positiveInt.default(10),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  HEADER_ENCRYPTION_KEY: base64Key.optional(),
  HEADER_ENCRYPTION_OLD_KEYS: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').filter(Boolean) : []))
    .pipe(z.array(base64Key)),
  AUTH_CACHE_TTL_MS: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(0, { error: 'must be 0 (off) or more' })
    .max(60_000, { error: 'must be at most 60000' })
    .default(5_000),
  RUNNER_TIMEOUT_MS: positiveInt.default(5_000),
  RUNNER_ALLOW_PRIVATE_ADDRESSES: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
});

export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number }
  | { readonly kind: 'embedded'; readonly dataDir: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseTarget;
  readonly production: boolean;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly shutdownTimeoutMs: number;
  readonly outbound: OutboundOptions;
  /** How long a verified token is trusted without a lookup; revocation takes effect within it. */
  readonly authCacheTtlMs: number;
  /** Runner headers are encrypted with `primary`; `previous` keys only decrypt, for rotation. */
  readonly headerKeys: { readonly primary?: Buffer; readonly previous: readonly Buffer[] };
  /** Where the dashboard's build lives; undefined means apps/web/dist. */
  readonly webDistDir: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The only place that reads the environment: every setting is validated here, with a clear error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const values = parsed.data;
  const database: DatabaseTarget = values.DATABASE_URL
    ? { kind: 'postgres', url: values.DATABASE_URL, poolMax: values.DATABASE_POOL_MAX }
    : { kind: 'embedded', dataDir: path.resolve(invocationDir(env), values.DATA_DIR) };
  return Object.freeze({
    port: values.PORT,
    host: values.HOST,
    database,
    production: values.NODE_ENV === 'production',
    logLevel: values.LOG_LEVEL,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    headerKeys: {
      ...(values.HEADER_ENCRYPTION_KEY && { primary: values.HEADER_ENCRYPTION_KEY }),
      previous: values.HEADER_ENCRYPTION_OLD_KEYS,
    },
    webDistDir: values.WEB_DIST_DIR && path.resolve(invocationDir(env), values.WEB_DIST_DIR),
    authCacheTtlMs: values.AUTH_CACHE_TTL_MS,
    outbound: {
      timeoutMs: values.RUNNER_TIMEOUT_MS,
      maxResponseBytes: 1024 * 1024,
      allowPrivateAddresses: values.RUNNER_ALLOW_PRIVATE_ADDRESSES,
    },
  });
}

/**
 * A relative DATA_DIR is taken from where the command was typed: pnpm runs `start` inside
 * apps/api but records the caller's directory in INIT_CWD, so `pnpm start` and `pnpm admin`
 * at the repository root open the same embedded database.
 */
function invocationDir(env: NodeJS.ProcessEnv): string {
  return env.INIT_CWD || process.cwd();
}
