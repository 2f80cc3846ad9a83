import { ApiError } from '@runner-registry/contract';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from 'zod-openapi';
import { restRoutes } from './routes';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The input breaks a rule of the contract; `issues` names each failing field. Nothing changed.',
  401: 'No token, or an unknown, revoked or expired one.',
  404: 'No such runner, or it belongs to another user.',
  409: 'The runner has changed since `expected_updated_at`. Nothing changed.',
  412: 'The runner has changed since the ETag in `If-Match`. Nothing changed.',
  413: 'The body is larger than 1 MiB. Nothing changed.',
  415: 'The body is not `application/json`.',
  502: 'The runner cannot be reached or did not answer 2xx.',
  500: 'An unexpected failure; the message is generic and nothing is half-applied.',
  503: 'The database cannot be reached; try again shortly.',
};
const ALWAYS = [401, 500, 503];

const IfMatchHeader = z.object({
  'If-Match': z.string().optional().meta({
    description:
      'The ETag of the runner as last seen; the update applies only if it still matches (412 otherwise). `*` matches any existing runner.',
    example: '"2026-11-29T11:42:12.326Z"',
  }),
});
const EtagHeader = z.object({
  ETag: z.string().meta({
    description: 'Changes whenever the runner changes; send it back as `If-Match`',
    example: '"2026-11-29T11:42:12.326Z"',
  }),
});
const WITH_BODY = [413, 415];

const errorResponse = (status: number) => ({
  description: ERROR_DESCRIPTIONS[status] ?? 'Error',
  content: { 'application/json': { schema: ApiError } },
});

/** The OpenAPI 3.1 document, generated from the route table and the contract's schemas. */
export function createOpenApiDocument(): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of restRoutes) {
    const statuses = new Set([
      ...route.errors,
      ...ALWAYS,
      ...(route.request.body ? WITH_BODY : []),
    ]);
    const operation: ZodOpenApiOperationObject = {
      operationId: route.operationId,
      summary: route.summary,
      description: `${route.description}\n\nSame as the tRPC procedure \`${route.procedure}\`.`,
      tags: ['runners'],
      security: [{ bearerAuth: [] }],
      ...((route.request.path || route.request.query) && {
        requestParams: {
          ...(route.request.path && { path: route.request.path }),
          ...(route.request.query && { query: route.request.query }),
          ...(route.ifMatch && { header: IfMatchHeader }),
        },
      }),
      ...(route.request.body && {
        requestBody: {
          required: route.method === 'post',
          content: { 'application/json': { schema: route.request.body } },
        },
      }),
      responses: {
        [route.successStatus]: route.response
          ? {
              description: 'Success',
              ...(route.etag && { headers: EtagHeader }),
              content: { 'application/json': { schema: route.response } },
            }
          : { description: 'Success, no content' },
        ...Object.fromEntries(
          [...statuses].sort().map((status) => [status, errorResponse(status)]),
        ),
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }

  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Runner registry',
      version: '1.0.0',
      description:
        'Keeps a fleet of runners: remote ComfyUI instances, each with a name, an endpoint, ' +
        'the HTTP headers to send it, tags and a status. Every route has a tRPC twin with the ' +
        'same validation and the same answers.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [{ name: 'runners', description: 'Register, list, update and delete runners' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token from `pnpm admin create-user` or `pnpm admin create-token`.',
        },
      },
    },
  });
}
