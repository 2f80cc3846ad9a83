import type { AppRouter, RouterInputs, RouterOutputs } from '@runner-registry/api';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';

export type { ErrorData } from '@runner-registry/api';
export type { AppRouter, RouterInputs, RouterOutputs };
export { TRPCClientError };

export interface RunnerClientOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:3000`; `/trpc` is appended. */
  readonly url: string;
  /** An API token from `pnpm admin create-user` or `create-token`. */
  readonly token: string;
  /** A fetch implementation, for runtimes or tests that bring their own. */
  readonly fetch?: typeof globalThis.fetch;
}

/** A typed tRPC client of the runner registry: `client.runner.update.mutate({ id, name })`. */
export function createRunnerClient({ url, token, fetch }: RunnerClientOptions) {
  const base = url.replace(/\/+$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/trpc`,
        headers: () => ({ authorization: `Bearer ${token}` }),
        ...(fetch && { fetch }),
      }),
    ],
  });
}

export type RunnerClient = ReturnType<typeof createRunnerClient>;

/** The tRPC error code of a failed call (`'NOT_FOUND'`, `'BAD_REQUEST'`, …), if it is one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data?.code as string | undefined) : undefined;
}
