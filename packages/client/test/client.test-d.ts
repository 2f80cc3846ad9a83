import type {
  Runner,
  RunnerCreateInput,
  RunnerIdInput,
  RunnerListInput,
  RunnerPage,
  RunnerUpdateInput,
} from '@runner-registry/contract';
import { describe, expectTypeOf, it } from 'vitest';
import { createRunnerClient } from '../src/index';

const client = createRunnerClient({ url: 'http://x', token: 't' });
const id = '5f0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1c';

describe('procedure inputs are exactly the contract input types', () => {
  it('runner.create takes RunnerCreateInput', () => {
    expectTypeOf<
      Parameters<typeof client.runner.create.mutate>[0]
    >().toEqualTypeOf<RunnerCreateInput>();
  });

  it('runner.get takes RunnerIdInput', () => {
    expectTypeOf<Parameters<typeof client.runner.get.query>[0]>().toEqualTypeOf<RunnerIdInput>();
  });

  it('runner.list takes RunnerListInput', () => {
    expectTypeOf<Parameters<typeof client.runner.list.query>[0]>().toEqualTypeOf<RunnerListInput>();
  });

  it('runner.update takes RunnerUpdateInput', () => {
    expectTypeOf<
      Parameters<typeof client.runner.update.mutate>[0]
    >().toEqualTypeOf<RunnerUpdateInput>();
  });

  it('runner.delete takes RunnerIdInput', () => {
    expectTypeOf<
      Parameters<typeof client.runner.delete.mutate>[0]
    >().toEqualTypeOf<RunnerIdInput>();
  });
});

describe('procedure outputs are exactly the contract output types', () => {
  it('runner.create resolves to Runner', () => {
    expectTypeOf<Awaited<ReturnType<typeof client.runner.create.mutate>>>().toEqualTypeOf<Runner>();
  });

  it('runner.get resolves to Runner', () => {
    expectTypeOf<Awaited<ReturnType<typeof client.runner.get.query>>>().toEqualTypeOf<Runner>();
  });

  it('runner.list resolves to RunnerPage', () => {
    expectTypeOf<
      Awaited<ReturnType<typeof client.runner.list.query>>
    >().toEqualTypeOf<RunnerPage>();
  });

  it('runner.update resolves to Runner', () => {
    expectTypeOf<Awaited<ReturnType<typeof client.runner.update.mutate>>>().toEqualTypeOf<Runner>();
  });

  it('runner.delete resolves to Runner', () => {
    expectTypeOf<Awaited<ReturnType<typeof client.runner.delete.mutate>>>().toEqualTypeOf<Runner>();
  });
});

describe('the client rejects calls the contract does not allow', () => {
  it('update requires an id', () => {
    // @ts-expect-error: `id` is required
    void client.runner.update.mutate({ name: 'gpu-box-1' });
  });

  it('name must be a string', () => {
    // @ts-expect-error: `name` is a string
    void client.runner.update.mutate({ id, name: 42 });
    // @ts-expect-error: `name` is a string
    void client.runner.create.mutate({ name: 42, endpoint: 'http://127.0.0.1:8188' });
  });

  it('status is "active" or "disabled"', () => {
    // @ts-expect-error: 'paused' is not a RunnerStatus
    void client.runner.update.mutate({ id, status: 'paused' });
    expectTypeOf<RunnerUpdateInput['status']>().toEqualTypeOf<'active' | 'disabled' | undefined>();
  });

  it('tags are an array of strings, not a string', () => {
    // @ts-expect-error: `tags` is string[]
    void client.runner.update.mutate({ id, tags: 'gpu' });
  });

  it('create requires name and endpoint', () => {
    // @ts-expect-error: `endpoint` is required
    void client.runner.create.mutate({ name: 'gpu-box-1' });
  });

  it('unknown input keys and read-only fields are refused', () => {
    // @ts-expect-error: `user_id` is read-only, not part of RunnerUpdateInput
    void client.runner.update.mutate({ id, user_id: id });
  });

  it('a procedure that does not exist cannot be called', () => {
    // @ts-expect-error: there is no runner.nope procedure
    void client.runner.nope.query({ id });
    expectTypeOf(client.runner).not.toHaveProperty('nope');
  });

  it('a field that is not on Runner cannot be read', async () => {
    const runner = await client.runner.get.query({ id });
    // @ts-expect-error: Runner has no `owner` field
    void runner.owner;
    expectTypeOf(runner).not.toHaveProperty('owner');
    expectTypeOf(runner.status).toEqualTypeOf<'active' | 'disabled'>();
    expectTypeOf(runner.headers).toEqualTypeOf<Record<string, string>>();
  });
});
