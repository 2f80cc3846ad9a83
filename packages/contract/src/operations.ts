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
