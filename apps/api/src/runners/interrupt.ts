import type { Runner, RunnerInterruptResult } from '@runner-registry/contract';
import { TRPCError } from '@trpc/server';
import { OutboundError, type RunnerHttp } from './runner-http';

/** POST {endpoint}/interrupt; a runner that cannot be reached or refuses is a 502. */
export async function interruptRunner(
  http: RunnerHttp,
  runner: Pick<Runner, 'endpoint' | 'headers'>,
): Promise<RunnerInterruptResult> {
  let status: number;
  try {
    ({ status } = await http.request(runner.endpoint, 'interrupt', 'POST', runner.headers));
  } catch (error) {
    const reason = error instanceof OutboundError ? error.message : 'request failed';
    throw new TRPCError({ code: 'BAD_GATEWAY', message: `Runner unreachable: ${reason}` });
  }
  if (status < 200 || status >= 300) {
    throw new TRPCError({ code: 'BAD_GATEWAY', message: `Runner answered HTTP ${status}` });
  }
  return { interrupted: true };
}
