import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type RequestLogger = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One log line per request: id, method, route, status, latency. Never headers, query or body.
 * Also sets the headers every answer carries: the request id and `nosniff`.
 *
 * The line's fields are fixed and none is a secret, so it is written by a child logger without
 * the key redaction (a second line of defence for other call sites): on a busy service the
 * redaction pass over every request line was a measurable share of the CPU (docs/performance.md).
 */
export function requestLogger(logger: Logger): RequestLogger {
  const lines = logger.child({}, { redact: [] });
  return (req, res) => logRequest(lines, req, res);
}

function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const route = queryAt === -1 ? url : url.slice(0, queryAt);
  const incoming = req.headers['x-request-id'];
  const requestId =
    typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', requestId);
  res.setHeader('x-content-type-options', 'nosniff');
  res.on('finish', () => {
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info(
      {
        request_id: requestId,
        method: req.method,
        route,
        status: res.statusCode,
        latency_ms: Math.round(latencyMs * 100) / 100,
      },
      'request',
    );
  });
}
