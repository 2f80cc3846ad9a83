import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type Runner = components['schemas']['Runner'];
export type RunnerPage = components['schemas']['RunnerPage'];
export type ApiError = components['schemas']['Error'];

export interface RestClientOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** An API token; sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * A REST client whose types are generated from the committed OpenAPI document
 * (`src/schema.ts`, by openapi-typescript): what an external caller would build.
 */
export function createRestClient({ baseUrl, token, fetch }: RestClientOptions): Client<paths> {
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    ...(fetch && { fetch }),
  });
}
