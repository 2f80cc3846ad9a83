import { z } from 'zod';
import { RunnerTags } from './runner';

export const RunnerSelectInput = z.strictObject({
  tags: RunnerTags.optional().meta({
    description:
      'A runner qualifies when it carries every one of these tags; a runner without tags qualifies for any request',
  }),
});
export type RunnerSelectInput = z.input<typeof RunnerSelectInput>;

export const RunnerDevice = z.object({
  name: z.string(),
  type: z.string(),
  vram_total: z.number().nullable().meta({ description: 'Bytes' }),
  vram_free: z.number().nullable().meta({ description: 'Bytes' }),
});
export type RunnerDevice = z.infer<typeof RunnerDevice>;

/** What a health check saw; an unreachable runner is still an answer, with `reachable: false`. */
export const RunnerHealth = z
  .object({
    reachable: z.boolean(),
    latency_ms: z
      .number()
      .nullable()
      .meta({ description: 'Time to the full answer; null when no answer came' }),
    checked_at: z.iso.datetime(),
    comfyui_version: z.string().nullable(),
    python_version: z.string().nullable(),
    pytorch_version: z.string().nullable(),
    devices: z.array(RunnerDevice),
    error: z
      .string()
      .optional()
      .meta({ description: 'Why the runner is not reachable; never carries header values' }),
  })
  .meta({ id: 'RunnerHealth' });
export type RunnerHealth = z.infer<typeof RunnerHealth>;

export const RunnerInterruptResult = z
  .object({ interrupted: z.literal(true) })
  .meta({ id: 'RunnerInterruptResult' });
export type RunnerInterruptResult = z.infer<typeof RunnerInterruptResult>;

export const RUNNER_EVENT_ACTIONS = ['create', 'update', 'delete'] as const;

/** One entry of a runner's audit trail: who changed which fields, and when. */
export const RunnerEvent = z
  .object({
    id: z.guid(),
    runner_id: z.guid(),
    action: z.enum(RUNNER_EVENT_ACTIONS),
    actor: z.object({
      user_id: z.guid(),
      token_id: z.guid().nullable().meta({ description: 'The API token the change was made with' }),
    }),
    changed_fields: z
      .array(z.string())
      .meta({ description: 'Names of the fields whose value changed; never their values' }),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'RunnerEvent' });
export type RunnerEvent = z.infer<typeof RunnerEvent>;

export const RunnerEvents = z
  .object({ events: z.array(RunnerEvent).meta({ description: 'Newest first' }) })
  .meta({ id: 'RunnerEvents' });
export type RunnerEvents = z.infer<typeof RunnerEvents>;
