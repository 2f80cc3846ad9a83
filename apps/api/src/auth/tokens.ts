import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'rr_';
/** 32 random bytes in base64url are 43 characters. */
const TOKEN_PATTERN = /^rr_[A-Za-z0-9_-]{43}$/;

/** A new API token: a recognisable prefix and 32 random bytes. Shown once, never stored. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What the database keeps instead of the token: its SHA-256, in hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The token of an `Authorization: Bearer <token>` header, if the header has that form. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
