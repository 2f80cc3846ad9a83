import { type FormEvent, useState } from 'react';
import { clientFor, describeFailure } from './api';

interface Props {
  readonly onSignedIn: (token: string) => void;
  readonly fetch?: typeof globalThis.fetch;
}

/** Takes a pasted API token and keeps it only once the service has accepted it. */
export function SignIn({ onSignedIn, fetch }: Props) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = token.trim();
    if (!trimmed) {
      setError('Paste an API token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await clientFor(trimmed, fetch).runner.list.query({ page: 1, per_page: 1 });
      onSignedIn(trimmed);
    } catch (failure) {
      setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Runner registry</h1>
      <form onSubmit={submit} noValidate>
        <p>
          Paste an API token made with <code>pnpm admin create-user</code> or{' '}
          <code>create-token</code>. It is kept in this tab only (session storage).
        </p>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error' : undefined}
        />
        {error && (
          <p id="token-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
