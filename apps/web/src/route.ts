import { useEffect, useState } from 'react';

export type Route =
  | { readonly page: 'list' }
  | { readonly page: 'new' }
  | { readonly page: 'runner'; readonly id: string };

/** Routes live in the hash (`#/runners/<id>`), so the server's SPA fallback is never needed for them. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/new') return { page: 'new' };
  const runner = /^\/runners\/([^/]+)$/.exec(path);
  if (runner?.[1]) return { page: 'runner', id: decodeURIComponent(runner[1]) };
  return { page: 'list' };
}

export const hrefFor = (route: Route): string =>
  route.page === 'list'
    ? '#/'
    : route.page === 'new'
      ? '#/new'
      : `#/runners/${encodeURIComponent(route.id)}`;

export function navigate(route: Route): void {
  window.location.hash = hrefFor(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
