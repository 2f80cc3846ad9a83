import {
  Runner,
  RunnerCreateInput,
  RunnerEvents,
  RunnerHealth,
  RunnerId,
  RunnerInterruptResult,
  RunnerListInput,
  RunnerPage,
  RunnerSelectInput,
  RunnerUpdateInput,
} from '@runner-registry/contract';
import { z } from 'zod';
import type { RouterInputs } from '../router';

type RunnerProcedure = `runner.${keyof RouterInputs['runner'] & string}`;

/** How one REST route maps onto a procedure: the table both the adapter and the document read. */
export interface RestRoute {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form: `/v1/runner/{id}`. */
  readonly path: string;
  readonly procedure: RunnerProcedure;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly successStatus: 200 | 201 | 204;
  /** What the parts of the request carry; the procedure's input is their union. */
  readonly request: {
    readonly path?: z.ZodObject;
    readonly query?: z.ZodObject;
    readonly body?: z.ZodObject;
  };
  readonly response?: z.ZodType;
  /** Error statuses this route can answer besides 401, 413, 415 and 503, which every route can. */
  readonly errors: readonly number[];
  /** The answer is a runner and carries its ETag. */
  readonly etag?: boolean;
  /** The route honours `If-Match` (412 when the runner has changed since). */
  readonly ifMatch?: boolean;
}

const RunnerPath = z.object({ id: RunnerId });
const RunnerUpdateBody = RunnerUpdateInput.omit({ id: true }).meta({ id: 'RunnerUpdate' });

const UPDATE_DESCRIPTION =
  'Every field is optional: omitted fields keep their values and `{}` is a valid no-op. ' +
  '`tags` and `headers` are replaced as a whole, never merged; `[]` clears the tags. ' +
  '`status: "disabled"` takes the runner out of scheduling. `updated_at` moves forward on every ' +
  'success. A runner of another user answers 404, exactly like a missing one. With ' +
  '`If-Match: <ETag>` (from a GET or an earlier update) the update applies only if the runner ' +
  'has not changed since; otherwise 412 and nothing is written. Without it, the last write wins ' +
  'field by field.';

const UPDATE_ROUTE: RestRoute = {
  method: 'put',
  path: '/v1/runner/{id}',
  procedure: 'runner.update',
  operationId: 'updateRunner',
  summary: 'Update a runner',
  description: UPDATE_DESCRIPTION,
  successStatus: 200,
  request: { path: RunnerPath, body: RunnerUpdateBody },
  response: Runner,
  errors: [400, 404, 409, 412],
  etag: true,
  ifMatch: true,
};

export const restRoutes: readonly RestRoute[] = [
  {
    method: 'post',
    path: '/v1/runner',
    procedure: 'runner.create',
    operationId: 'createRunner',
    summary: 'Create a runner',
    description: 'Registers a runner. New runners are `active`.',
    successStatus: 201,
    request: { body: RunnerCreateInput.meta({ id: 'RunnerCreate' }) },
    response: Runner,
    errors: [400],
    etag: true,
  },
  {
    method: 'get',
    path: '/v1/runner',
    procedure: 'runner.list',
    operationId: 'listRunners',
    summary: 'List runners',
    description:
      'The caller’s runners, newest first. `total` counts every match, not just the page; a page ' +
      'past the end is empty. `tags` keeps runners that carry all of them: repeat the parameter ' +
      'or separate tags with commas.',
    successStatus: 200,
    request: { query: RunnerListInput },
    response: RunnerPage,
    errors: [400],
  },
  {
    method: 'post',
    path: '/v1/runner/select',
    procedure: 'runner.select',
    operationId: 'selectRunner',
    summary: 'Pick a runner for a job',
    description:
      'Picks one of the caller’s `active` runners, uniformly at random among those that carry ' +
      'every requested tag; a runner without tags qualifies for any request, a `disabled` one ' +
      'never. 404 when none qualifies.',
    successStatus: 200,
    request: { body: RunnerSelectInput.meta({ id: 'RunnerSelect' }) },
    response: Runner,
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/v1/runner/{id}',
    procedure: 'runner.get',
    operationId: 'getRunner',
    summary: 'Get a runner',
    description:
      'A runner of another user answers 404, exactly like a missing one. The `ETag` of the answer ' +
      'can be sent back as `If-Match` with an update.',
    successStatus: 200,
    request: { path: RunnerPath },
    response: Runner,
    errors: [400, 404],
    etag: true,
  },
  UPDATE_ROUTE,
  {
    ...UPDATE_ROUTE,
    method: 'patch',
    operationId: 'patchRunner',
    summary: 'Update a runner (same as PUT)',
    description: `Behaves exactly like PUT. ${UPDATE_DESCRIPTION}`,
  },
  {
    method: 'delete',
    path: '/v1/runner/{id}',
    procedure: 'runner.delete',
    operationId: 'deleteRunner',
    summary: 'Delete a runner',
    description: 'Answers 204 with no body. A runner of another user answers 404.',
    successStatus: 204,
    request: { path: RunnerPath },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/runner/{id}/check',
    procedure: 'runner.check',
    operationId: 'checkRunner',
    summary: 'Check a runner’s health',
    description:
      'Calls `GET {endpoint}/system_stats` on the runner with its stored headers and a short ' +
      'timeout. An unreachable runner, a timeout, a non-2xx answer or an answer that is not ' +
      'ComfyUI’s is still a 200, with `reachable: false` and a short `error`.',
    successStatus: 200,
    request: { path: RunnerPath },
    response: RunnerHealth,
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/runner/{id}/interrupt',
    procedure: 'runner.interrupt',
    operationId: 'interruptRunner',
    summary: 'Interrupt the runner’s current job',
    description:
      'Sends `POST {endpoint}/interrupt` to the runner with its stored headers. 502 when the ' +
      'runner cannot be reached or does not answer 2xx.',
    successStatus: 200,
    request: { path: RunnerPath },
    response: RunnerInterruptResult,
    errors: [400, 404, 502],
  },
  {
    method: 'get',
    path: '/v1/runner/{id}/events',
    procedure: 'runner.events',
    operationId: 'listRunnerEvents',
    summary: 'A runner’s audit trail',
    description:
      'Every create, update and delete of the runner, newest first (up to 1000): who (user and ' +
      'API token), when, and the names of the fields that changed, never their values. Kept ' +
      'after the runner is deleted.',
    successStatus: 200,
    request: { path: RunnerPath },
    response: RunnerEvents,
    errors: [400, 404],
  },
];
