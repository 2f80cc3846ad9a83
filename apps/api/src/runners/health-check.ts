import type { Runner, RunnerHealth } from '@runner-registry/contract';
import { z } from 'zod';
import { OutboundError, type RunnerHttp } from './runner-http';

// The part of ComfyUI's GET /system_stats answer the check reports; other fields are ignored.
const SystemStats = z.object({
  system: z.object({
    comfyui_version: z.string().optional(),
    python_version: z.string().optional(),
    pytorch_version: z.string().optional(),
  }),
  devices: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      vram_total: z.number().optional(),
      vram_free: z.number().optional(),
    }),
  ),
});

const unreachable = (error: string, latencyMs: number | null = null): RunnerHealth => ({
  reachable: false,
  latency_ms: latencyMs,
  checked_at: new Date().toISOString(),
  comfyui_version: null,
  python_version: null,
  pytorch_version: null,
  devices: [],
  error,
});

/** Calls the runner's /system_stats; every failure is an answer with `reachable: false`. */
export async function checkRunner(
  http: RunnerHttp,
  runner: Pick<Runner, 'endpoint' | 'headers'>,
): Promise<RunnerHealth> {
  let answer: Awaited<ReturnType<RunnerHttp['request']>>;
  try {
    answer = await http.request(runner.endpoint, 'system_stats', 'GET', runner.headers);
  } catch (error) {
    return unreachable(error instanceof OutboundError ? error.message : 'request failed');
  }
  if (answer.status >= 300 && answer.status < 400) {
    return unreachable(
      `redirected with HTTP ${answer.status}; redirects are not followed`,
      answer.latencyMs,
    );
  }
  if (answer.status < 200 || answer.status >= 300) {
    return unreachable(`answered HTTP ${answer.status}`, answer.latencyMs);
  }
  let stats: z.infer<typeof SystemStats>;
  try {
    stats = SystemStats.parse(JSON.parse(answer.body.toString('utf8')));
  } catch {
    return unreachable('the answer is not ComfyUI system stats', answer.latencyMs);
  }
  return {
    reachable: true,
    latency_ms: answer.latencyMs,
    checked_at: new Date().toISOString(),
    comfyui_version: stats.system.comfyui_version ?? null,
    python_version: stats.system.python_version ?? null,
    pytorch_version: stats.system.pytorch_version ?? null,
    devices: stats.devices.map((device) => ({
      name: device.name,
      type: device.type,
      vram_total: device.vram_total ?? null,
      vram_free: device.vram_free ?? null,
    })),
  };
}
