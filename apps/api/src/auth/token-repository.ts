import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import { generateToken, hashToken } from './tokens';

export interface IssuedToken {
  readonly tokenId: string;
  readonly userId: string;
  readonly token: string;
  readonly expiresAt: Date | null;
}

export interface TokenSummary {
  readonly token_id: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
}

/** Who a valid token belongs to. */
export interface TokenOwnerRow {
  readonly token_id: string;
  readonly user_id: string;
  readonly expires_at: Date | null;
}

export class UserExistsError extends Error {
  override name = 'UserExistsError';
}
export class UnknownUserError extends Error {
  override name = 'UnknownUserError';
}

// Last use is written at most once a minute per token, so a busy token does not turn every read into a write.
const LAST_USE_RESOLUTION = sql`interval '1 minute'`;

/** Users and their API tokens. Only token hashes ever reach the database. */
export function createTokenRepository(db: Kysely<Database>) {
  async function userIdByEmail(email: string): Promise<string> {
    const user = await db
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst();
    if (!user) throw new UnknownUserError(`No user has the email ${email}`);
    return user.id;
  }

  async function issue(userId: string, expiresAt: Date | null): Promise<IssuedToken> {
    const token = generateToken();
    const row = await db
      .insertInto('api_tokens')
      .values({ user_id: userId, token_hash: hashToken(token), expires_at: expiresAt })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    return { tokenId: row.id, userId, token, expiresAt: row.expires_at };
  }

  return {
    /** Creates a user and its first token in one statement, so a failure leaves neither behind. */
    async createUser(email: string, expiresAt: Date | null = null): Promise<IssuedToken> {
      const token = generateToken();
      try {
        const row = await db
          .with('new_user', (qb) => qb.insertInto('users').values({ email }).returning('id'))
          .insertInto('api_tokens')
          .columns(['user_id', 'token_hash', 'expires_at'])
          .expression((eb) =>
            eb
              .selectFrom('new_user')
              .select([
                'new_user.id',
                sql<string>`${hashToken(token)}::text`.as('token_hash'),
                sql<Date | null>`${expiresAt}::timestamptz`.as('expires_at'),
              ]),
          )
          .returning(['id', 'user_id', 'expires_at'])
          .executeTakeFirstOrThrow();
        return { tokenId: row.id, userId: row.user_id, token, expiresAt: row.expires_at };
      } catch (error) {
        if ((error as { code?: string }).code === '23505') {
          throw new UserExistsError(`A user with the email ${email} exists already`);
        }
        throw error;
      }
    },

    async createToken(email: string, expiresAt: Date | null): Promise<IssuedToken> {
      return issue(await userIdByEmail(email), expiresAt);
    },

    /** Revokes by token or token id; answers whether a live token was revoked. */
    async revoke(by: { token: string } | { tokenId: string }): Promise<boolean> {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: sql<Date>`now()` })
        .where((eb) =>
          'token' in by ? eb('token_hash', '=', hashToken(by.token)) : eb('id', '=', by.tokenId),
        )
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async listTokens(email: string): Promise<TokenSummary[]> {
      const userId = await userIdByEmail(email);
      const rows = await db
        .selectFrom('api_tokens')
        .select(['id', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute();
      const iso = (date: Date | null) => date?.toISOString() ?? null;
      return rows.map((row) => ({
        token_id: row.id,
        created_at: row.created_at.toISOString(),
        expires_at: iso(row.expires_at),
        last_used_at: iso(row.last_used_at),
        revoked_at: iso(row.revoked_at),
      }));
    },

    /** The user a token belongs to, if it is known, not revoked and not expired. */
    async findUserByTokenHash(tokenHash: string): Promise<TokenOwnerRow | undefined> {
      const { rows } = await sql<TokenOwnerRow & { stale_use: boolean }>`
        SELECT id AS token_id, user_id, expires_at,
               (last_used_at IS NULL OR last_used_at < now() - ${LAST_USE_RESOLUTION}) AS stale_use
        FROM api_tokens
        WHERE token_hash = ${tokenHash} AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now())`.execute(db);
      const row = rows[0];
      if (!row) return undefined;
      if (row.stale_use) {
        await sql`UPDATE api_tokens SET last_used_at = now() WHERE id = ${row.token_id}`.execute(
          db,
        );
      }
      return { token_id: row.token_id, user_id: row.user_id, expires_at: row.expires_at };
    },
  };
}

export type TokenRepository = ReturnType<typeof createTokenRepository>;
