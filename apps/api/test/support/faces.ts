import { createRunnerClient, TRPCClientError } from '@runner-registry/client';
import type { AppRouter } from '../../src/router';

export type Operation = 'create' | 'get' | 'list' | 'update' | 'delete';

/** What a caller observes of one call, the same way on every face. */
export interface Outcome {
  readonly ok: boolean;
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  readonly issues?: readonly { path: readonly (string | number)[]; message: string }[];
  /** The runner or page returned, on success. */
  readonly data?: unknown;
}

/** One way into the service: the tRPC client, or REST with PUT or PATCH for updates. */
export interface Face {
  readonly name: string;
  call(
    operation: Operation,
    input: Record<string, unknown>,
    authorization: string | undefined,
  ): Promise<Outcome>;
}

export function trpcFace(url: string): Face {
  return {
    name: 'tRPC',
    async call(operation, input, authorization) {
      const token = authorization?.replace(/^Bearer /, '') ?? '';
      const client = createRunnerClient({
        url,
        token,
        // The typed client always sends a bearer header; "no header at all" needs a raw fetch.
        fetch: authorization === undefined ? withoutAuthorization : undefined,
      });
      const procedure = client.runner[operation] as unknown as {
        query: (input: unknown) => Promise<unknown>;
        mutate: (input: unknown) => Promise<unknown>;
      };
      try {
        const isQuery = operation === 'get' || operation === 'list';
        const data = await (isQuery ? procedure.query(input) : procedure.mutate(input));
        return { ok: true, status: 200, data };
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        const data = (error as TRPCClientError<AppRouter>).data;
        return {
          ok: false,
          status: data?.httpStatus ?? 0,
          code: data?.code,
          message: error.message,
          issues: data?.issues,
        };
      }
    },
  };
}

const withoutAuthorization: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.delete('authorization');
  return fetch(input, { ...init, headers });
};

export function restFace(url: string, updateMethod: 'PUT' | 'PATCH' = 'PUT'): Face {
  return {
    name: `REST (${updateMethod} for updates)`,
    async call(operation, input, authorization) {
      const { id, ...fields } = input;
      const runnerPath = `/v1/runner/${encodeURIComponent(String(id))}`;
      const request: { method: string; path: string; body?: unknown } = {
        create: { method: 'POST', path: '/v1/runner', body: input },
        get: { method: 'GET', path: runnerPath },
        list: { method: 'GET', path: `/v1/runner${toQuery(input)}` },
        update: { method: updateMethod, path: runnerPath, body: fields },
        delete: { method: 'DELETE', path: runnerPath },
      }[operation];
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers.authorization = authorization;
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
      const text = await response.text();
      const body = text ? JSON.parse(text) : undefined;
      if (!response.ok) {
        const { status, code, message, issues } = body;
        expectSameStatus(response.status, status);
        return { ok: false, status, code, message, issues };
      }
      return { ok: true, status: response.status, data: body };
    },
  };
}

function toQuery(input: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** The REST error body repeats the HTTP status; a mismatch is a bug of its own. */
function expectSameStatus(httpStatus: number, bodyStatus: unknown): void {
  if (httpStatus !== bodyStatus) {
    throw new Error(`HTTP status ${httpStatus} but body status ${String(bodyStatus)}`);
  }
}
