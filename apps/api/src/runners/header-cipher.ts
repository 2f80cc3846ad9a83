import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';

/** What the `headers` column holds: the runner's headers, encrypted as one JSON object. */
export interface HeaderEnvelope {
  /** Which key encrypted it: the first 16 hex digits of the key's SHA-256. */
  readonly kid: string;
  readonly iv: string;
  /** AES-256-GCM ciphertext followed by its 16-byte tag, base64. */
  readonly ct: string;
}

export class HeaderKeyError extends Error {
  override name = 'HeaderKeyError';
}

export const keyId = (key: Buffer): string =>
  createHash('sha256').update(key).digest('hex').slice(0, 16);

/** Headers serialised with sorted names, so equal headers always give equal plaintext. */
const canonical = (headers: Record<string, string>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1))));

/** How many characters (keys and plaintexts together) the decrypted-headers cache may hold. */
const DECRYPTED_CACHE_CHARS = 8 * 1024 * 1024;

/**
 * AES-256-GCM for runner headers. The IV is synthetic: an HMAC of the runner id and the
 * plaintext, so the same headers of the same runner encrypt the same way (an update can tell
 * whether they changed) while different plaintexts never share an IV. The runner id is also the
 * associated data: a ciphertext copied to another row does not decrypt.
 *
 * Decrypted headers are remembered by runner id and the whole envelope (key id, IV, ciphertext
 * and tag), up to 8 Mi characters, oldest first out: every answer that carries a runner
 * decrypts its headers, and setting up a decipher each time was a measurable share of the CPU a
 * GET or an update costs (≈ 9 µs of a few hundred; docs/performance.md). Only what decrypted and authenticated is remembered, and only for the
 * exact envelope and runner it was read from, so a changed or copied ciphertext is decrypted (or
 * refused) afresh. It keeps plaintexts in process memory, where the keys that decrypt every row
 * already are; nothing more is exposed to someone who can read it.
 */
export function createHeaderCipher(
  primary: Buffer,
  previous: readonly Buffer[] = [],
  { cacheChars = DECRYPTED_CACHE_CHARS }: { cacheChars?: number } = {},
) {
  for (const key of [primary, ...previous]) {
    if (key.length !== 32) throw new HeaderKeyError('a header encryption key must be 32 bytes');
  }
  const primaryId = keyId(primary);
  const keys = new Map([primary, ...previous].map((key) => [keyId(key), key]));
  const ivKey = (key: Buffer) => createHmac('sha256', key).update('runner-header-iv').digest();
  const decrypted = new Map<string, { headers: Record<string, string>; chars: number }>();
  let cachedChars = 0;
  const remember = (cacheKey: string, headers: Record<string, string>, plaintext: string) => {
    const chars = cacheKey.length + plaintext.length;
    // No one runner's headers may take more than a 64th of the room.
    if (chars > cacheChars / 64) return;
    for (const [oldest, entry] of decrypted) {
      if (cachedChars + chars <= cacheChars) break;
      decrypted.delete(oldest);
      cachedChars -= entry.chars;
    }
    decrypted.set(cacheKey, { headers, chars });
    cachedChars += chars;
  };

  return {
    primaryKeyId: primaryId,

    encrypt(runnerId: string, headers: Record<string, string>): HeaderEnvelope {
      const plaintext = Buffer.from(canonical(headers), 'utf8');
      const iv = createHmac('sha256', ivKey(primary))
        .update(runnerId)
        .update('\u0000')
        .update(plaintext)
        .digest()
        .subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', primary, iv);
      cipher.setAAD(Buffer.from(runnerId, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return { kid: primaryId, iv: iv.toString('base64'), ct: ct.toString('base64') };
    },

    decrypt(runnerId: string, envelope: HeaderEnvelope): Record<string, string> {
      const cacheKey = `${runnerId} ${envelope.kid} ${envelope.iv} ${envelope.ct}`;
      const cached = decrypted.get(cacheKey);
      // A copy: callers own what they get.
      if (cached) return { ...cached.headers };
      const key = keys.get(envelope.kid);
      if (!key) {
        throw new HeaderKeyError(`no configured key has the id ${envelope.kid}`);
      }
      const data = Buffer.from(envelope.ct, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
      decipher.setAAD(Buffer.from(runnerId, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plaintext = Buffer.concat([
        decipher.update(data.subarray(0, -16)),
        decipher.final(),
      ]).toString('utf8');
      const headers = JSON.parse(plaintext) as Record<string, string>;
      remember(cacheKey, headers, plaintext);
      return { ...headers };
    },
  };
}

export type HeaderCipher = ReturnType<typeof createHeaderCipher>;
