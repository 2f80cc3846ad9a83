import {
  Runner,
  RunnerCreateInput,
  RunnerEvents,
  RunnerHealth,
  RunnerIdInput,
  RunnerInterruptResult,
  RunnerListInput,
  RunnerPage,
  RunnerSelectInput,
  RunnerUpdateInput,
} from '@runner-registry/contract';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { answer, authedProcedure } from '../trpc';
import { checkRunner } from './health-check';
import { interruptRunner } from './interrupt';
import { StaleRunnerError } from './runner-repository';

/** Another user's runner and a missing one get the same answer. */
function found(runner: Runner | undefined): Runner {
  if (!runner) throw new TRPCError({ code: 'NOT_FOUND', message: 'Runner not found' });
  return runner;
}

export const runnerRouter = {
  create: authedProcedure
    .input(RunnerCreateInput)
    .mutation(async ({ ctx, input }) => answer(Runner, await ctx.runners.create(ctx.actor, input))),

  get: authedProcedure
    .input(RunnerIdInput)
    .query(async ({ ctx, input }) =>
      answer(Runner, found(await ctx.runners.get(ctx.userId, input.id))),
    ),

  list: authedProcedure
    .input(RunnerListInput)
    .query(async ({ ctx, input }) => answer(RunnerPage, await ctx.runners.list(ctx.userId, input))),

  update: authedProcedure
    .input(RunnerUpdateInput)
    .mutation(async ({ ctx, input: { id, expected_updated_at, ...changes } }) => {
      try {
        return answer(
          Runner,
          found(await ctx.runners.update(ctx.actor, id, changes, expected_updated_at)),
        );
      } catch (error) {
        if (!(error instanceof StaleRunnerError)) throw error;
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'The runner has changed since expected_updated_at; read it again and retry',
        });
      }
    }),

  select: authedProcedure.input(RunnerSelectInput).mutation(async ({ ctx, input }) => {
    const tags = input.tags ?? [];
    const runner = await ctx.runners.select(ctx.userId, tags);
    if (!runner) {
      throw new TRPCError({
        code: 'NOT_FOUND',
        message:
          tags.length > 0
            ? `No active runner carries all of the tags: ${tags.join(', ')}`
            : 'No active runner',
      });
    }
    return answer(Runner, runner);
  }),

  check: authedProcedure
    .input(RunnerIdInput)
    .mutation(async ({ ctx, input }) =>
      answer(
        RunnerHealth,
        await checkRunner(ctx.runnerHttp, found(await ctx.runners.get(ctx.userId, input.id))),
      ),
    ),

  interrupt: authedProcedure
    .input(RunnerIdInput)
    .mutation(async ({ ctx, input }) =>
      answer(
        RunnerInterruptResult,
        await interruptRunner(ctx.runnerHttp, found(await ctx.runners.get(ctx.userId, input.id))),
      ),
    ),

  delete: authedProcedure
    .input(RunnerIdInput)
    .mutation(async ({ ctx, input }) =>
      answer(Runner, found(await ctx.runners.delete(ctx.actor, input.id))),
    ),

  events: authedProcedure.input(RunnerIdInput).query(async ({ ctx, input }) => {
    const events = await ctx.runners.events(ctx.userId, input.id);
    // A runner that never existed has no trail; a deleted one keeps its own.
    if (events.length === 0)
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Runner not found' });
    return answer(RunnerEvents, { events });
  }),
} satisfies TRPCRouterRecord;
