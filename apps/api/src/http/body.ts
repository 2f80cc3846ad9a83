import type { IncomingMessage } from 'node:http';
import { MAX_BODY_BYTES } from './limits';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor() {
    super(`Request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
  }
}

/**
 * The request body as UTF-8 text, a leading byte-order mark skipped (RFC 8259 §8.1); rejects
 * with BodyTooLargeError past MAX_BODY_BYTES, before reading more than that. Node discards
 * whatever is left unread before the next request on the connection.
 */
export function readBodyText(req: IncomingMessage): Promise<string> {
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > MAX_BODY_BYTES) {
    return Promise.reject(new BodyTooLargeError());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (error) => {
      failed = true;
      reject(error);
    });
    req.on('end', () => {
      if (failed) return;
      const text =
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
  });
}
