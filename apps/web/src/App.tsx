import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ClientContext, clientFor, errorCodeOf, TOKEN_KEY, UNAUTHORIZED_MESSAGE } from './api';
import { RunnerList } from './RunnerList';
import { NewRunnerPage, RunnerPage } from './RunnerPage';
import { hrefFor, type Route, useRoute } from './route';
import { SignIn } from './SignIn';

const storedToken = () => window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;

interface Props {
  /** For tests: the fetch every call goes through. */
  readonly fetch?: typeof globalThis.fetch;
}

export function App({ fetch }: Props) {
  const [token, setToken] = useState(storedToken);
  const [signInMessage, setSignInMessage] = useState<string>();

  const signIn = (value: string) => {
    window.sessionStorage.setItem(TOKEN_KEY, value);
    setSignInMessage(undefined);
    setToken(value);
  };
  const signOut = (message?: string) => {
    window.sessionStorage.removeItem(TOKEN_KEY);
    setSignInMessage(message);
    setToken(undefined);
  };

  if (!token) {
    return (
      <>
        {signInMessage && (
          <p className="banner error-box" role="alert">
            {signInMessage}
          </p>
        )}
        <SignIn onSignedIn={signIn} fetch={fetch} />
      </>
    );
  }
  return (
    <Session
      token={token}
      fetch={fetch}
      onSignOut={() => signOut()}
      onRejected={() => signOut(UNAUTHORIZED_MESSAGE)}
    />
  );
}

function Session({
  token,
  fetch,
  onSignOut,
  onRejected,
}: {
  readonly token: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly onSignOut: () => void;
  readonly onRejected: () => void;
}) {
  const client = useMemo(() => clientFor(token, fetch), [token, fetch]);
  // One cache per token: nothing one session loaded is shown to the next. A token revoked
  // mid-session sends the user back to sign in.
  const rejected = useRef(onRejected);
  rejected.current = onRejected;
  const queryClient = useMemo(() => {
    const onError = (error: unknown) => {
      if (errorCodeOf(error) === 'UNAUTHORIZED') rejected.current();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
    });
  }, [token]);
  useEffect(() => () => queryClient.clear(), [queryClient]);

  const route = useRoute();
  const routeKey = hrefFor(route);
  // A notice ("Saved…", "Deleted…") belongs to the page it was made for.
  const [notice, setNotice] = useState<{ message: string; href: string }>();
  const showNotice = (message: string | undefined, at: Route = route) =>
    setNotice(message === undefined ? undefined : { message, href: hrefFor(at) });
  const currentNotice = notice?.href === routeKey ? notice.message : undefined;

  return (
    <ClientContext.Provider value={client}>
      <QueryClientProvider client={queryClient}>
        <header className="top">
          <a className="brand" href="#/">
            Runner registry
          </a>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <main>
          {route.page === 'list' ? (
            <>
              {currentNotice && (
                <p className="notice" role="status">
                  {currentNotice}
                </p>
              )}
              <RunnerList />
            </>
          ) : route.page === 'new' ? (
            <NewRunnerPage onDone={showNotice} />
          ) : (
            <RunnerPage key={route.id} id={route.id} notice={currentNotice} onNotice={showNotice} />
          )}
        </main>
      </QueryClientProvider>
    </ClientContext.Provider>
  );
}
