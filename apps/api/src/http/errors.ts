import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiError } from '@runner-registry/contract';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  408: 'TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The body of an error answered outside a procedure: the same shape procedures answer. */
export function errorBody(status: number, message: string): ApiError {
  return {
    status,
    message,
    code: CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody(404, `No route for ${req.method} ${req.path}`));
};

/**
 * Errors express itself raises (a static file it cannot serve, a malformed path) and anything
 * unexpected. Request bodies are read by the REST handler and by tRPC, never by express.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const { status } = error as { status?: number };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(errorBody(status, 'Bad request'));
    } else {
      logger.error({ err_name: (error as Error)?.name }, 'unhandled error');
      res.status(500).json(errorBody(500, 'Internal server error'));
    }
  };
}

/**
 * Requests Node's HTTP parser refuses before express sees them — headers and URL over 16 KiB,
 * malformed HTTP, a request that took too long — get the same JSON error body as the rest,
 * instead of Node's bare status line.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || started?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request headers and URL are larger than 16 KiB']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request took too long to arrive']
        : [400, 'Malformed HTTP request'];
  const body = JSON.stringify(errorBody(status, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
