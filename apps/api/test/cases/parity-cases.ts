import type { Runner } from '@runner-registry/contract';
import type { Operation } from '../support/faces';
import { invalidUpdates } from './invalid-updates';

export type Caller = 'owner' | 'stranger' | 'anonymous' | 'forged';

/**
 * One request and what every face must answer. `ok` means success (REST's 200, 201 or 204);
 * otherwise the HTTP status and the tRPC code, which both faces report.
 */
export interface ParityCase {
  readonly title: string;
  readonly operation: Operation;
  readonly caller: Caller;
  /** The procedure's input, built around a fresh runner of the owner's. */
  readonly input: (runner: Runner) => Record<string, unknown>;
  readonly expected:
    | 'ok'
    | {
        readonly status: number;
        readonly code: string;
        readonly field?: readonly (string | number)[];
      };
}

const MISSING = '00000000-0000-4000-8000-000000000000';
const badRequest = (field?: readonly (string | number)[]) =>
  ({ status: 400, code: 'BAD_REQUEST', ...(field && { field }) }) as const;
const notFound = { status: 404, code: 'NOT_FOUND' } as const;
const unauthorized = { status: 401, code: 'UNAUTHORIZED' } as const;
const valid = { name: 'parity', endpoint: 'https://comfy.example.com' };

export const parityCases: readonly ParityCase[] = [
  { title: 'create', operation: 'create', caller: 'owner', input: () => valid, expected: 'ok' },
  {
    title: 'create without endpoint',
    operation: 'create',
    caller: 'owner',
    input: () => ({ name: 'x' }),
    expected: badRequest(['endpoint']),
  },
  {
    title: 'create with an unknown field',
    operation: 'create',
    caller: 'owner',
    input: () => ({ ...valid, status: 'active', colour: 'blue' }),
    expected: badRequest([]),
  },
  {
    title: 'create without a token',
    operation: 'create',
    caller: 'anonymous',
    input: () => valid,
    expected: unauthorized,
  },
  {
    title: 'create with a forged token',
    operation: 'create',
    caller: 'forged',
    input: () => valid,
    expected: unauthorized,
  },

  { title: 'get', operation: 'get', caller: 'owner', input: (r) => ({ id: r.id }), expected: 'ok' },
  {
    title: 'get another user’s runner',
    operation: 'get',
    caller: 'stranger',
    input: (r) => ({ id: r.id }),
    expected: notFound,
  },
  {
    title: 'get a missing runner',
    operation: 'get',
    caller: 'owner',
    input: () => ({ id: MISSING }),
    expected: notFound,
  },
  {
    title: 'get a malformed id',
    operation: 'get',
    caller: 'owner',
    input: () => ({ id: 'abc' }),
    expected: badRequest(['id']),
  },
  {
    title: 'get without a token',
    operation: 'get',
    caller: 'anonymous',
    input: (r) => ({ id: r.id }),
    expected: unauthorized,
  },

  {
    title: 'list',
    operation: 'list',
    caller: 'owner',
    input: () => ({ page: 1, per_page: 5 }),
    expected: 'ok',
  },
  {
    title: 'list with tags and status',
    operation: 'list',
    caller: 'owner',
    input: () => ({ tags: ['gpu', 'a100'], status: 'active' }),
    expected: 'ok',
  },
  {
    title: 'list with per_page 101',
    operation: 'list',
    caller: 'owner',
    input: () => ({ per_page: 101 }),
    expected: badRequest(['per_page']),
  },
  {
    title: 'list with page 0',
    operation: 'list',
    caller: 'owner',
    input: () => ({ page: 0 }),
    expected: badRequest(['page']),
  },
  {
    title: 'list with an unknown status',
    operation: 'list',
    caller: 'owner',
    input: () => ({ status: 'paused' }),
    expected: badRequest(['status']),
  },
  {
    title: 'list with a forged token',
    operation: 'list',
    caller: 'forged',
    input: () => ({}),
    expected: unauthorized,
  },

  {
    title: 'update one field',
    operation: 'update',
    caller: 'owner',
    input: (r) => ({ id: r.id, name: 'new' }),
    expected: 'ok',
  },
  {
    title: 'update with {}',
    operation: 'update',
    caller: 'owner',
    input: (r) => ({ id: r.id }),
    expected: 'ok',
  },
  {
    title: 'update another user’s runner',
    operation: 'update',
    caller: 'stranger',
    input: (r) => ({ id: r.id, name: 'mine' }),
    expected: notFound,
  },
  {
    title: 'update a missing runner',
    operation: 'update',
    caller: 'owner',
    input: () => ({ id: MISSING, name: 'x' }),
    expected: notFound,
  },
  {
    title: 'update a malformed id',
    operation: 'update',
    caller: 'owner',
    input: () => ({ id: 'abc', name: 'x' }),
    expected: badRequest(['id']),
  },
  {
    title: 'update without a token',
    operation: 'update',
    caller: 'anonymous',
    input: (r) => ({ id: r.id, name: 'x' }),
    expected: unauthorized,
  },
  ...invalidUpdates.map(
    (c): ParityCase => ({
      title: `update with ${c.title}`,
      operation: 'update',
      caller: 'owner',
      input: (r) => ({ id: r.id, ...c.body }),
      expected: badRequest(c.field),
    }),
  ),

  {
    title: 'delete another user’s runner',
    operation: 'delete',
    caller: 'stranger',
    input: (r) => ({ id: r.id }),
    expected: notFound,
  },
  {
    title: 'delete a missing runner',
    operation: 'delete',
    caller: 'owner',
    input: () => ({ id: MISSING }),
    expected: notFound,
  },
  {
    title: 'delete without a token',
    operation: 'delete',
    caller: 'anonymous',
    input: (r) => ({ id: r.id }),
    expected: unauthorized,
  },
  {
    title: 'delete',
    operation: 'delete',
    caller: 'owner',
    input: (r) => ({ id: r.id }),
    expected: 'ok',
  },
];
