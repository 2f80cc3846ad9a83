import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Nothing here logs request bodies, header values or tokens; the redaction
 * below is a second line of defence should a future call site pass one in.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
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
