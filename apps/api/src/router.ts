import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { runnerRouter } from './runners/runner-router';
import { createRouter } from './trpc';

export const appRouter = createRouter({
  runner: runnerRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type { ErrorData } from './trpc';
