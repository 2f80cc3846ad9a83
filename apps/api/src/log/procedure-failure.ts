import type { TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import { sqlState } from '../db/errors';

/**
 * Logs a procedure that failed on the server's side (5xx). In production only the error's name
 * and SQLSTATE are kept: messages of database errors can carry SQL or the values of a query.
 */
export function procedureFailureLogger(logger: Logger, production: boolean) {
  return (error: TRPCError, procedure: string | undefined) => {
    if (error.code !== 'INTERNAL_SERVER_ERROR' && error.code !== 'SERVICE_UNAVAILABLE') return;
    const cause = error.cause;
    logger.error(
      {
        procedure,
        code: error.code,
        err_name: cause?.name,
        sqlstate: sqlState(cause),
        ...(!production && { err_message: cause?.message, stack: cause?.stack }),
      },
      'procedure failed',
    );
  };
}
