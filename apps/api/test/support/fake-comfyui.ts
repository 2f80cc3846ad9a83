import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

export type FakeBehaviour =
  | 'comfyui'
  | 'slow'
  | 'error-500'
  | 'not-comfyui'
  | 'huge'
  | { readonly redirectTo: string };

export const SYSTEM_STATS = {
  system: {
    os: 'posix',
    ram_total: 67_000_000_000,
    ram_free: 60_000_000_000,
    comfyui_version: '0.3.26',
    python_version: '3.12.3 (main, Nov  6 2024, 18:32:19) [GCC 13.2.0]',
    pytorch_version: '2.6.0+cu124',
    embedded_python: false,
    argv: ['main.py', '--listen'],
  },
  devices: [
    {
      name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
      type: 'cuda',
      index: 0,
      vram_total: 25_393_692_672,
      vram_free: 24_117_248_000,
      torch_vram_total: 0,
      torch_vram_free: 0,
    },
  ],
};

/** A stand-in for a ComfyUI instance that records every request it receives. */
export interface FakeComfyUI {
  readonly url: string;
  readonly requests: RecordedRequest[];
  behaviour: FakeBehaviour;
  close(): Promise<void>;
}

export async function startFakeComfyUI(): Promise<FakeComfyUI> {
  const requests: RecordedRequest[] = [];
  const state: { behaviour: FakeBehaviour } = { behaviour: 'comfyui' };
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const behaviour = state.behaviour;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (typeof behaviour === 'object') {
      res.writeHead(302, { location: `${behaviour.redirectTo}${req.url}` });
      res.end();
    } else if (behaviour === 'slow') {
      setTimeout(() => json(200, SYSTEM_STATS), 3_000).unref();
    } else if (behaviour === 'error-500') {
      json(500, { error: 'boom' });
    } else if (behaviour === 'not-comfyui') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    } else if (behaviour === 'huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"system":{},"devices":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    } else if (req.url?.endsWith('/system_stats') && req.method === 'GET') {
      json(200, SYSTEM_STATS);
    } else if (req.url?.endsWith('/interrupt') && req.method === 'POST') {
      res.writeHead(200);
      res.end();
    } else {
      json(404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value) {
      state.behaviour = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
