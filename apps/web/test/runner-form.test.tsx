import { createRunnerClient } from '@runner-registry/client';
import {
  type Runner,
  RunnerCreateInput,
  RunnerEndpoint,
  toInputIssues,
} from '@runner-registry/contract';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/App';
import { RunnerForm } from '../src/RunnerForm';

/** A tRPC batch answer, as the API sends it. */
function trpcAnswer(status: number, body: unknown): Response {
  return new Response(JSON.stringify([body]), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const trpcError = (httpStatus: number, code: string, message: string, issues?: unknown) =>
  trpcAnswer(httpStatus, {
    error: { message, code: -32000, data: { code, httpStatus, ...(issues ? { issues } : {}) } },
  });

/** The message the contract (and so the server) gives for `input` at `field`. */
function contractMessage(input: unknown, field: string): string {
  const result = RunnerCreateInput.safeParse(input);
  if (result.success) throw new Error('expected the contract to refuse');
  const issue = toInputIssues(result.error.issues).find((candidate) => candidate.path[0] === field);
  if (!issue) throw new Error(`no issue at ${field}`);
  return issue.message;
}

/** The text that a control's aria-describedby points to. */
function descriptionOf(element: HTMLElement): string {
  const ids = element.getAttribute('aria-describedby')?.split(' ') ?? [];
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

const RUNNER: Runner = {
  id: '5f0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1c',
  user_id: '6f0c3a2e-8d1b-4f6e-9a7c-2b4d6e8f0a1c',
  name: 'gpu-box-1',
  status: 'active',
  endpoint: 'http://192.168.1.100:8188',
  tags: ['gpu'],
  headers: { 'X-Api-Key': 'sekrit' },
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

let fetchSpy: ReturnType<typeof vi.fn<typeof fetch>>;
let client: ReturnType<typeof createRunnerClient>;

beforeEach(() => {
  fetchSpy = vi.fn<typeof fetch>(async () => trpcAnswer(200, { result: { data: RUNNER } }));
  client = createRunnerClient({ url: 'http://api.test', token: 'rr_test', fetch: fetchSpy });
});
afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
});

function renderCreate() {
  const user = userEvent.setup();
  render(<RunnerForm onCreate={(input) => client.runner.create.mutate(input)} />);
  return user;
}

function renderEdit(runner: Runner = RUNNER) {
  const user = userEvent.setup();
  render(<RunnerForm runner={runner} onUpdate={(input) => client.runner.update.mutate(input)} />);
  return user;
}

describe('the runner form validates with the contract before sending anything', () => {
  it('an empty name gets the contract message next to Name, and no request', async () => {
    const user = renderCreate();
    await user.type(screen.getByLabelText('Endpoint'), 'http://127.0.0.1:8188');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    const name = screen.getByLabelText('Name');
    const expected = contractMessage({ name: '', endpoint: 'http://127.0.0.1:8188' }, 'name');
    expect(expected).toBe('must be 1 to 100 characters long');
    expect(descriptionOf(name)).toBe(expected);
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it.each([
    ['ftp://files.example', 'must use http:// or https://'],
    ['not a url', 'must be an absolute http:// or https:// URL'],
    ['http://user:pw@host.example', 'must not embed credentials; send them as headers instead'],
  ])('a bad endpoint %j is refused with the contract message', async (endpoint, message) => {
    const user = renderCreate();
    await user.type(screen.getByLabelText('Name'), 'gpu-box-1');
    await user.type(screen.getByLabelText('Endpoint'), endpoint);
    await user.click(screen.getByRole('button', { name: 'Save' }));

    const check = RunnerEndpoint.safeParse(endpoint);
    expect(check.success).toBe(false);
    expect(toInputIssues(check.error?.issues ?? [])[0]?.message).toBe(message);
    expect(descriptionOf(screen.getByLabelText('Endpoint'))).toBe(message);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('takes ten tags as chips and refuses the eleventh', async () => {
    const user = renderCreate();
    const tags = screen.getByLabelText('Tags');
    for (let index = 0; index < 10; index++) {
      await user.type(tags, `tag-${index}{Enter}`);
    }
    expect(screen.getAllByRole('button', { name: /^Remove tag / })).toHaveLength(10);
    await user.type(tags, 'tag-10');
    await user.click(screen.getByRole('button', { name: 'Add tag' }));

    const expected = contractMessage(
      { name: 'x', endpoint: 'http://h', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
      'tags',
    );
    expect(expected).toBe('must hold at most 10 tags');
    expect(descriptionOf(tags)).toContain(expected);
    expect(screen.getAllByRole('button', { name: /^Remove tag / })).toHaveLength(10);

    // Removing one makes room again.
    await user.click(screen.getByRole('button', { name: 'Remove tag tag-3' }));
    await user.click(screen.getByRole('button', { name: 'Add tag' }));
    expect(screen.getAllByRole('button', { name: /^Remove tag / })).toHaveLength(10);
    expect(screen.getByRole('button', { name: 'Remove tag tag-10' })).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('refuses a repeated tag with the contract message', async () => {
    const user = renderCreate();
    await user.type(screen.getByLabelText('Tags'), 'gpu{Enter}gpu{Enter}');
    expect(descriptionOf(screen.getByLabelText('Tags'))).toContain('must not repeat a tag');
  });

  it('a header name with a space is refused next to that header name', async () => {
    const user = renderCreate();
    await user.type(screen.getByLabelText('Name'), 'gpu-box-1');
    await user.type(screen.getByLabelText('Endpoint'), 'http://127.0.0.1:8188');
    await user.click(screen.getByRole('button', { name: 'Add header' }));
    await user.type(screen.getByLabelText('Header name'), 'X Api Key');
    await user.type(screen.getByLabelText('Header value'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    const expected = contractMessage(
      { name: 'x', endpoint: 'http://h', headers: { 'X Api Key': 'secret' } },
      'headers',
    );
    expect(expected).toBe('header name must be an HTTP token of 1 to 128 characters');
    expect(descriptionOf(screen.getByLabelText('Header name'))).toBe(expected);
    expect(descriptionOf(screen.getByLabelText('Header value'))).toBe('');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('a CR in a header value is refused next to that header value', async () => {
    const user = renderCreate();
    await user.type(screen.getByLabelText('Name'), 'gpu-box-1');
    await user.type(screen.getByLabelText('Endpoint'), 'http://127.0.0.1:8188');
    await user.click(screen.getByRole('button', { name: 'Add header' }));
    await user.type(screen.getByLabelText('Header name'), 'X-Api-Key');
    // An <input> cannot hold a CR, but a paste can carry one: the form keeps it and says no.
    fireEvent.paste(screen.getByLabelText('Header value'), {
      clipboardData: { getData: () => 'secret\rInjected: yes' },
    });
    await user.click(screen.getByRole('button', { name: 'Save' }));

    const expected = contractMessage(
      { name: 'x', endpoint: 'http://h', headers: { 'X-Api-Key': 'secret\rInjected: yes' } },
      'headers',
    );
    expect(expected).toMatch(/no CR, LF/);
    expect(descriptionOf(screen.getByLabelText('Header value'))).toBe(expected);
    expect(descriptionOf(screen.getByLabelText('Header name'))).toBe('');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('two rows with the same header name are refused', async () => {
    const user = renderCreate();
    await user.click(screen.getByRole('button', { name: 'Add header' }));
    await user.click(screen.getByRole('button', { name: 'Add header' }));
    const [first, second] = screen.getAllByLabelText('Header name');
    await user.type(first as HTMLElement, 'X-Key');
    await user.type(second as HTMLElement, 'X-Key');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(descriptionOf(second as HTMLElement)).toMatch(/must not repeat a header name/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('sending', () => {
  it('creates with exactly what the form holds', async () => {
    const user = renderCreate();
    await user.type(screen.getByLabelText('Name'), 'gpu-box-1');
    await user.type(screen.getByLabelText('Endpoint'), 'http://127.0.0.1:8188');
    await user.type(screen.getByLabelText('Tags'), 'gpu{Enter}a100{Enter}');
    await user.click(screen.getByRole('button', { name: 'Add header' }));
    await user.type(screen.getByLabelText('Header name'), 'X-Api-Key');
    await user.type(screen.getByLabelText('Header value'), 'sekrit');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(fetchSpy).toHaveBeenCalledTimes(1));
    const [url, init] = fetchSpy.mock.calls[0] ?? [];
    expect(String(url)).toContain('/trpc/runner.create');
    expect(JSON.parse(String(init?.body))).toEqual({
      0: {
        name: 'gpu-box-1',
        endpoint: 'http://127.0.0.1:8188',
        tags: ['gpu', 'a100'],
        headers: { 'X-Api-Key': 'sekrit' },
      },
    });
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer rr_test');
  });

  it('hands a chosen status to the creator next to the create input', async () => {
    const onCreate = vi.fn(async () => undefined);
    const user = userEvent.setup();
    render(<RunnerForm onCreate={onCreate} />);
    await user.type(screen.getByLabelText('Name'), 'cold-spare');
    await user.type(screen.getByLabelText('Endpoint'), 'http://127.0.0.1:8188');
    await user.selectOptions(screen.getByLabelText('Status'), 'disabled');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onCreate).toHaveBeenCalledTimes(1));
    expect(onCreate).toHaveBeenCalledWith(
      { name: 'cold-spare', endpoint: 'http://127.0.0.1:8188', tags: [], headers: {} },
      'disabled',
    );
  });

  it('an edit sends only the changed fields', async () => {
    const user = renderEdit();
    const name = screen.getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'gpu-box-2');
    await user.type(screen.getByLabelText('Tags'), 'h100{Enter}');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(fetchSpy).toHaveBeenCalledTimes(1));
    const init = fetchSpy.mock.calls[0]?.[1];
    expect(JSON.parse(String(init?.body))).toEqual({
      0: { id: RUNNER.id, name: 'gpu-box-2', tags: ['gpu', 'h100'] },
    });
  });

  it('an edit that changes nothing sends nothing', async () => {
    const user = renderEdit();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Nothing to save/)).toBeTruthy();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('shows a 404 from the server plainly', async () => {
    fetchSpy.mockResolvedValue(trpcError(404, 'NOT_FOUND', 'Runner not found'));
    const user = renderEdit();
    await user.selectOptions(screen.getByLabelText('Status'), 'disabled');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Not found \(404\): Runner not found/);
  });

  it('shows a 409 from a stale edit plainly', async () => {
    fetchSpy.mockResolvedValue(
      trpcError(409, 'CONFLICT', 'The runner has changed since expected_updated_at'),
    );
    const user = renderEdit();
    await user.selectOptions(screen.getByLabelText('Status'), 'disabled');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/changed elsewhere since you opened it \(409\)/);
  });

  it("puts the server's field issues next to the fields", async () => {
    fetchSpy.mockResolvedValue(
      trpcError(400, 'BAD_REQUEST', 'name: already taken', [
        { path: ['name'], message: 'already taken' },
      ]),
    );
    const user = renderEdit();
    await user.type(screen.getByLabelText('Name'), '-x');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(descriptionOf(screen.getByLabelText('Name'))).toBe('already taken'));
  });
});

describe('header values', () => {
  it('are masked until shown, one at a time', async () => {
    const user = renderEdit({ ...RUNNER, headers: { 'X-Api-Key': 'sekrit', 'X-Other': 'two' } });
    const [first, second] = screen.getAllByLabelText('Header value') as HTMLInputElement[];
    expect(first?.type).toBe('password');
    expect(second?.type).toBe('password');
    await user.click(screen.getByRole('button', { name: 'Show value of X-Api-Key' }));
    expect(first?.type).toBe('text');
    expect(second?.type).toBe('password');
    await user.click(screen.getByRole('button', { name: 'Hide value of X-Api-Key' }));
    expect(first?.type).toBe('password');
  });
});

describe('sign-in', () => {
  it('says plainly that a refused token was not accepted, and keeps nothing', async () => {
    fetchSpy.mockResolvedValue(
      trpcError(401, 'UNAUTHORIZED', 'Invalid, revoked or expired API token'),
    );
    const user = userEvent.setup();
    render(<App fetch={fetchSpy} />);
    await user.type(screen.getByLabelText('API token'), 'rr_wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^That token was not accepted/);
    expect(window.sessionStorage.length).toBe(0);
  });

  it('keeps an accepted token in sessionStorage, and Sign out forgets it', async () => {
    fetchSpy.mockImplementation(async () =>
      trpcAnswer(200, { result: { data: { runners: [], total: 0 } } }),
    );
    const user = userEvent.setup();
    render(<App fetch={fetchSpy} />);
    await user.type(screen.getByLabelText('API token'), 'rr_good');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/No runners yet/)).toBeTruthy();
    expect(Object.values(window.sessionStorage)).toEqual(['rr_good']);
    const init = fetchSpy.mock.calls[0]?.[1];
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer rr_good');

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(window.sessionStorage.length).toBe(0);
  });
});
