import type { TokenRepository } from './token-repository';
import { hashToken } from './tokens';

export interface TokenOwner {
  readonly userId: string;
  readonly tokenId: string;
}

export interface TokenCacheOptions {
  /** How long a verified token is trusted without asking the database; 0 asks every time. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
}

/**
 * Verified tokens, remembered for a few seconds so a busy client does not cost a token lookup
 * per request. Keyed by the token's hash, never the token. A revoked or expired token is refused
 * by every instance within `ttlMs`; unknown tokens are never cached, so they always reach the
 * database.
 */
export function createTokenCache(
  tokens: Pick<TokenRepository, 'findUserByTokenHash'>,
  { ttlMs, maxEntries = 10_000 }: TokenCacheOptions,
) {
  const entries = new Map<string, { owner: TokenOwner; until: number }>();
  return {
    async verify(token: string): Promise<TokenOwner | undefined> {
      const hash = hashToken(token);
      const now = Date.now();
      const cached = entries.get(hash);
      if (cached && cached.until > now) return cached.owner;
      if (cached) entries.delete(hash);
      const found = await tokens.findUserByTokenHash(hash);
      if (!found) return undefined;
      const owner: TokenOwner = { userId: found.user_id, tokenId: found.token_id };
      if (ttlMs <= 0) return owner;
      if (entries.size >= maxEntries) {
        // Maps iterate in insertion order: drop the oldest entry.
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      const until = Math.min(now + ttlMs, found.expires_at?.getTime() ?? Number.POSITIVE_INFINITY);
      entries.set(hash, { owner, until });
      return owner;
    },
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
