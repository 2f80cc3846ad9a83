import type { RunnerHealth } from '@runner-registry/contract';

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/** What `runner.check` saw: reachability, versions, and each GPU's memory as a meter. */
export function HealthReport({ health }: { readonly health: RunnerHealth }) {
  return (
    <section className="health" aria-labelledby="health-heading">
      <h3 id="health-heading">Health</h3>
      <dl>
        <dt>Reachability</dt>
        <dd>
          <span className={`status status-${health.reachable ? 'active' : 'disabled'}`}>
            {health.reachable ? 'Reachable' : 'Unreachable'}
          </span>
          {health.error && <span className="health-error"> — {health.error}</span>}
        </dd>
        {health.latency_ms !== null && (
          <>
            <dt>Latency</dt>
            <dd>{Math.round(health.latency_ms)} ms</dd>
          </>
        )}
        <dt>ComfyUI version</dt>
        <dd>{health.comfyui_version ?? 'unknown'}</dd>
        {health.python_version && (
          <>
            <dt>Python</dt>
            <dd>{health.python_version}</dd>
          </>
        )}
        {health.pytorch_version && (
          <>
            <dt>PyTorch</dt>
            <dd>{health.pytorch_version}</dd>
          </>
        )}
        <dt>Checked</dt>
        <dd>
          <time dateTime={health.checked_at}>{new Date(health.checked_at).toLocaleString()}</time>
        </dd>
      </dl>
      {health.devices.length > 0 && (
        <ul className="devices" aria-label="GPUs">
          {health.devices.map((device, index) => {
            const total = device.vram_total;
            const used =
              total !== null && device.vram_free !== null ? total - device.vram_free : null;
            const label = `VRAM used on ${device.name}`;
            return (
              <li key={index}>
                <span className="device-name">
                  {device.name} <small>({device.type})</small>
                </span>
                {total !== null && used !== null ? (
                  <>
                    <meter aria-label={label} min={0} max={total} value={used} high={total * 0.9}>
                      {gib(used)} of {gib(total)}
                    </meter>
                    <span>
                      {gib(used)} used of {gib(total)}
                    </span>
                  </>
                ) : (
                  <span>VRAM not reported</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
