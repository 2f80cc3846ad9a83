import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Standard output, written in batches: lines gather up to 4 KiB and go out at least every 250 ms,
 * and whatever is pending is written synchronously when the process exits (pino registers that).
 * One write per line handed every line to libuv's thread pool: measurable CPU per request at
 * thousands of requests per second (docs/performance.md).
 */
const bufferedStdout = (): DestinationStream =>
  pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 });

/**
 * Structured JSON logs. Nothing here logs request bodies, header values or tokens; the redaction
 * below is a second line of defence should a future call site pass one in.
 */
export function createLogger(
  level: string,
  destination: DestinationStream = bufferedStdout(),
): Logger {
  return pino(
    {
      level,
      base: { service: 'runner-registry' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', 'token', 'headers', '*.authorization', '*.token', '*.headers'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
