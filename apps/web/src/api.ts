import {
  createRunnerClient,
  type ErrorData,
  type RunnerClient,
  TRPCClientError,
} from '@runner-registry/client';
import type { InputIssue } from '@runner-registry/contract';
import { createContext, useContext } from 'react';

export const TOKEN_KEY = 'runner-registry.token';

/** The typed client for this page's origin: every call carries the signed-in token. */
export function clientFor(token: string, fetch?: typeof globalThis.fetch): RunnerClient {
  return createRunnerClient({ url: window.location.origin, token, ...(fetch && { fetch }) });
}

export const ClientContext = createContext<RunnerClient | null>(null);

export function useClient(): RunnerClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside a signed-in session');
  return client;
}

const errorData = (error: unknown): ErrorData | undefined =>
  error instanceof TRPCClientError ? (error.data as ErrorData | undefined) : undefined;

export const errorCodeOf = (error: unknown): string | undefined => errorData(error)?.code;

/** With a BAD_REQUEST from validation: the server's `{path, message}` list. */
export const serverIssues = (error: unknown): InputIssue[] | undefined => errorData(error)?.issues;

export const UNAUTHORIZED_MESSAGE =
  'That token was not accepted. Check that you pasted all of it, and that it has not been revoked or expired.';

/** A plain sentence for a failed call. */
export function describeFailure(error: unknown): string {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'UNAUTHORIZED':
      return UNAUTHORIZED_MESSAGE;
    case 'NOT_FOUND':
      return `Not found (404): ${message}. It may have been deleted.`;
    case 'CONFLICT':
      return 'This runner was changed elsewhere since you opened it (409). Reload the page to see the latest version, then make your change again.';
    case 'BAD_REQUEST':
      return `The server refused the request (400): ${message}`;
    case undefined:
      return `Could not reach the service: ${message}`;
    default:
      return `${message} (${errorData(error)?.httpStatus ?? code})`;
  }
}
