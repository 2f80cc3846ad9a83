import { initTRPC, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callProcedure, type ProcedureCall } from '../src/trpc';

// callProcedure must run a procedure exactly as calling it does (tRPC's own callers, and the
// express adapter the service still mounts). Each case calls one procedure both ways and
// compares what comes back: the value, or the error's class, code, message and cause.

interface Ctx {
  readonly user?: string;
  readonly tenant?: string;
  readonly seen: string[];
}

const t = initTRPC.context<Ctx>().meta<{ label: string }>().create();

// A middleware that reports what it was handed, so both ways can be compared field by field.
const recordOptions = t.middleware((opts) => {
  const { ctx, type, path, input, meta, signal, batchIndex } = opts;
  ctx.seen.push(
    JSON.stringify({ type, path, input, meta, signal: signal?.aborted, batchIndex, ctx }),
  );
  return opts.next();
});

const withUser = t.middleware(({ next }) => next({ ctx: { user: 'u1' } }));
const withTenant = t.middleware(({ ctx, next }) => next({ ctx: { tenant: `${ctx.user}-t` } }));
const replaceInput = t.middleware(({ next }) => next({ input: { replaced: true } }));
const rawInputOverride = t.middleware(({ next }) => next({ getRawInput: async () => ({ n: 41 }) }));
const refuse = t.middleware(() => {
  throw new TRPCError({ code: 'FORBIDDEN', message: 'no entry' });
});
const crash = t.middleware(() => {
  throw new Error('boom');
});
const retry = t.middleware(async ({ next }) => {
  const first = await next();
  return first.ok ? first : next({ ctx: { user: 'retried' } });
});
const swallow = t.middleware(async ({ next }) => {
  const result = await next();
  return result.ok ? result : { ...result, ok: true as const, data: 'recovered' };
});

const procedures = {
  plain: t.procedure.query(() => 'hello'),
  ctxMerge: t.procedure
    .use(withUser)
    .use(withTenant)
    .use(recordOptions)
    .query(({ ctx }) => ({ user: ctx.user, tenant: ctx.tenant })),
  inputParsed: t.procedure
    .input(z.object({ n: z.number().int() }))
    .use(recordOptions)
    .mutation(({ input }) => input.n + 1),
  inputRefused: t.procedure.input(z.object({ n: z.number() })).mutation(({ input }) => input.n),
  twoInputs: t.procedure
    .input(z.object({ a: z.string() }))
    .input(z.object({ b: z.string() }))
    .query(({ input }) => input),
  inputReplaced: t.procedure
    .use(replaceInput)
    .use(recordOptions)
    .query(({ input }) => input),
  rawInputReplaced: t.procedure
    .use(rawInputOverride)
    .input(z.object({ n: z.number() }))
    .query(({ input }) => input.n + 1),
  refused: t.procedure.use(refuse).query(() => 'never'),
  crashedInMiddleware: t.procedure.use(crash).query(() => 'never'),
  crashedInResolver: t.procedure.query(() => {
    throw new Error('resolver boom');
  }),
  retried: t.procedure.use(retry).query(({ ctx }) => {
    if (ctx.user !== 'retried') throw new TRPCError({ code: 'CONFLICT', message: 'again' });
    return 'second try';
  }),
  swallowed: t.procedure.use(swallow).query(() => {
    throw new Error('hidden');
  }),
  withMeta: t.procedure
    .meta({ label: 'm' })
    .use(recordOptions)
    .query(() => 'with meta'),
};

type Name = keyof typeof procedures;

async function outcome(run: () => Promise<unknown>) {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const e = error as TRPCError;
    return {
      ok: false,
      class: e.constructor.name,
      code: e.code,
      message: e.message,
      cause: e.cause && { name: e.cause.name, message: e.cause.message },
    };
  }
}

async function bothWays(name: Name, rawInput: unknown, extra: Partial<ProcedureCall> = {}) {
  const procedure = procedures[name];
  const call = (seen: string[]) => ({
    ctx: { seen },
    path: `p.${name}`,
    type: procedure._def.type as ProcedureCall['type'],
    getRawInput: async () => rawInput,
    signal: undefined,
    ...extra,
  });
  const tRPCSeen: string[] = [];
  const ourSeen: string[] = [];
  const viaTrpc = await outcome(() =>
    (procedure as (opts: unknown) => Promise<unknown>)(call(tRPCSeen)),
  );
  const viaOurs = await outcome(() => callProcedure(procedure, call(ourSeen)));
  return { viaTrpc, viaOurs, tRPCSeen, ourSeen };
}

describe('callProcedure runs a procedure as tRPC does', () => {
  const cases: [Name, unknown, Partial<ProcedureCall>?][] = [
    ['plain', undefined],
    ['ctxMerge', undefined, { batchIndex: 3 }],
    ['inputParsed', { n: 1 }],
    ['inputParsed', { n: 1.5 }],
    ['inputRefused', 'not an object'],
    ['twoInputs', { a: 'x', b: 'y', c: 'dropped' }],
    ['twoInputs', { a: 'x' }],
    ['inputReplaced', { original: true }],
    ['rawInputReplaced', { n: 'ignored' }],
    ['refused', undefined],
    ['crashedInMiddleware', undefined],
    ['crashedInResolver', undefined],
    ['retried', undefined],
    ['swallowed', undefined],
    ['withMeta', undefined, { signal: new AbortController().signal }],
  ];

  it.each(cases)('%s with input %j', async (name, input, extra) => {
    const { viaTrpc, viaOurs, tRPCSeen, ourSeen } = await bothWays(name, input, extra);
    expect(viaOurs).toEqual(viaTrpc);
    expect(ourSeen).toEqual(tRPCSeen);
  });

  it('gives the expected answers, not merely equal ones', async () => {
    expect((await bothWays('ctxMerge', undefined)).viaOurs).toEqual({
      ok: true,
      value: { user: 'u1', tenant: 'u1-t' },
    });
    expect((await bothWays('inputParsed', { n: 1 })).viaOurs).toEqual({ ok: true, value: 2 });
    expect((await bothWays('rawInputReplaced', {})).viaOurs).toEqual({ ok: true, value: 42 });
    expect((await bothWays('retried', undefined)).viaOurs).toEqual({
      ok: true,
      value: 'second try',
    });
    expect((await bothWays('refused', undefined)).viaOurs).toMatchObject({
      ok: false,
      class: 'TRPCError',
      code: 'FORBIDDEN',
    });
    const invalid = await bothWays('inputParsed', { n: 'x' });
    expect(invalid.viaOurs).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(invalid.ourSeen).toEqual([]);
  });
});
