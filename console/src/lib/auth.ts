// Where the console keeps its token: taken from ?token= in the address (then removed from the
// address bar so it is not bookmarked or shared), or typed into the sign-in form, and held in
// sessionStorage for this tab only. Pure over injected storage and location.

export const TOKEN_KEY = 'arcnet.token';

export interface AuthEnv {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  href: string;
  replaceUrl(url: string): void;
}

/** Reads the token: the address wins over storage; a token in the address is stored and hidden. */
export function takeToken(env: AuthEnv): string | null {
  const url = new URL(env.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    env.storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    env.replaceUrl(url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return env.storage.getItem(TOKEN_KEY);
}

export function saveToken(env: Pick<AuthEnv, 'storage'>, token: string): void {
  env.storage.setItem(TOKEN_KEY, token);
}

export function forgetToken(env: Pick<AuthEnv, 'storage'>): void {
  env.storage.removeItem(TOKEN_KEY);
}

export function browserAuthEnv(): AuthEnv {
  return {
    storage: window.sessionStorage,
    href: window.location.href,
    replaceUrl: (u) => window.history.replaceState(null, '', u),
  };
}
