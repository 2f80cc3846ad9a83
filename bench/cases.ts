/** One kind of request the bench sends, with a fresh random runner id each time. */
export interface BenchCase {
  readonly key: 'put' | 'trpc-update' | 'get' | 'list';
  readonly label: string;
  readonly method: 'GET' | 'PUT' | 'POST';
  /** A new request: its path and, for writes, its JSON body. */
  next(pick: () => string, sequence: number): { path: string; body?: string };
}

export const CASES: readonly BenchCase[] = [
  {
    key: 'put',
    label: 'PUT /v1/runner/{id}',
    method: 'PUT',
    next: (pick, n) => ({
      path: `/v1/runner/${pick()}`,
      body: JSON.stringify({ name: `bench-${n}` }),
    }),
  },
  {
    key: 'trpc-update',
    label: 'POST /trpc/runner.update',
    method: 'POST',
    next: (pick, n) => ({
      path: '/trpc/runner.update',
      body: JSON.stringify({ id: pick(), name: `bench-${n}` }),
    }),
  },
  {
    key: 'get',
    label: 'GET /v1/runner/{id}',
    method: 'GET',
    next: (pick) => ({ path: `/v1/runner/${pick()}` }),
  },
  {
    key: 'list',
    label: 'GET /v1/runner?per_page=10',
    method: 'GET',
    next: () => ({ path: '/v1/runner?per_page=10' }),
  },
];
