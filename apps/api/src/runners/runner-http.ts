import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { BlockedAddressError, isPrivateAddress, publicOnlyLookup } from './outbound-guard';

export interface OutboundOptions {
  /** How long one request to a runner may take, connection to last byte. */
  readonly timeoutMs: number;
  /** The largest answer read from a runner. */
  readonly maxResponseBytes: number;
  /** Self-hosted ComfyUI lives on private networks, so they are allowed unless configured off. */
  readonly allowPrivateAddresses: boolean;
}

export interface OutboundResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly latencyMs: number;
}

/** A request to a runner failed; the message is ours and never carries a header value. */
export class OutboundError extends Error {
  override name = 'OutboundError';
}

/** `https://host/comfy` + `system_stats` → `https://host/comfy/system_stats`, query kept. */
export function runnerUrl(endpoint: string, path: string): URL {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  url.hash = '';
  return url;
}

const ERRNO_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EBLOCKED: 'private addresses are not allowed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  ERR_INVALID_CHAR: 'a stored header cannot be sent',
  ERR_INVALID_HTTP_TOKEN: 'a stored header cannot be sent',
};

/**
 * One request to a runner with its stored headers: http(s) only, a timeout, a cap on the answer,
 * and no redirects (a redirect would carry the headers to wherever it points).
 */
export function createRunnerHttp(options: OutboundOptions) {
  return {
    request(
      endpoint: string,
      path: string,
      method: 'GET' | 'POST',
      headers: Record<string, string>,
    ): Promise<OutboundResponse> {
      const url = runnerUrl(endpoint, path);
      return new Promise((resolve, reject) => {
        const fail = (message: string) => reject(new OutboundError(message));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          return fail('only http and https endpoints are supported');
        }
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (!options.allowPrivateAddresses && net.isIP(host) && isPrivateAddress(host)) {
          return fail(ERRNO_MESSAGES.EBLOCKED as string);
        }
        const started = performance.now();
        const transport = url.protocol === 'https:' ? https : http;
        let request: http.ClientRequest;
        try {
          request = transport.request(url, {
            method,
            headers: {
              ...headers,
              accept: 'application/json',
              'user-agent': 'runner-registry',
              ...(method === 'POST' && { 'content-length': '0' }),
            },
            ...(!options.allowPrivateAddresses && { lookup: publicOnlyLookup }),
          });
        } catch (error) {
          return fail(describe(error));
        }
        // One deadline for the whole exchange, connection to last byte.
        const deadline = setTimeout(() => {
          request.destroy(new OutboundError(`timed out after ${options.timeoutMs} ms`));
        }, options.timeoutMs);
        request.on('error', (error) => {
          clearTimeout(deadline);
          fail(describe(error));
        });
        request.on('response', (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxResponseBytes) {
              request.destroy(
                new OutboundError(`answer larger than ${options.maxResponseBytes} bytes`),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(deadline);
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks),
              latencyMs: Math.round((performance.now() - started) * 10) / 10,
            });
          });
          response.on('error', (error) => {
            clearTimeout(deadline);
            fail(describe(error));
          });
        });
        request.end();
      });
    },
  };
}

export type RunnerHttp = ReturnType<typeof createRunnerHttp>;

function describe(error: unknown): string {
  if (error instanceof OutboundError) return error.message;
  if (error instanceof BlockedAddressError) return ERRNO_MESSAGES.EBLOCKED as string;
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && ERRNO_MESSAGES[code]) || 'request failed';
}
