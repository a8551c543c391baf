import { describe, expect, it } from 'vitest';

import { ApiClient, ApiError, type FetchLike } from './api';
import { takeToken, TOKEN_KEY } from './auth';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit }) {
  const f: FetchLike = (url, init) => {
    seen.url = url;
    seen.init = init;
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
  return f;
}

describe('ApiClient', () => {
  it('sends the bearer token', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new ApiClient('tok', '', fakeFetch(200, { nodes: [] }, seen));
    await api.nodes({ zone: 'west' });
    expect(seen.url).toBe('/v1/nodes?zone=west');
    expect((seen.init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('asks the history for the mesh and a node at a time, passing the abort signal', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new ApiClient('tok', '', fakeFetch(200, { nodes: [], node: {} }, seen));
    const ctl = new AbortController();
    await api.nodesAt(1796307120000000, ctl.signal);
    expect(seen.url).toBe('/v1/nodes?valid_at=1796307120000000');
    expect(seen.init?.signal).toBe(ctl.signal);
    await api.nodeAt('w-a 01', 5, ctl.signal);
    expect(seen.url).toBe('/v1/nodes/w-a%2001?valid_at=5');
  });

  it('asks for a zone history and for the hour before a time', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new ApiClient('tok', '', fakeFetch(200, { buckets: [] }, seen));
    await api.zoneHistory('east', 10, 20, '1h');
    expect(seen.url).toBe('/v1/zones/east/history?from=10&to=20&step=1h');
    await api.history('n', '1m', 7_200_000_000);
    expect(seen.url).toBe('/v1/nodes/n/history?step=1m&from=3600000000&to=7200000000');
    await api.history('n');
    expect(seen.url).toBe('/v1/nodes/n/history?step=1m');
  });

  it('turns an error body into an ApiError with the status', async () => {
    const body = { error: { code: 'forbidden', message: 'this token may only read' } };
    const api = new ApiClient('tok', '', fakeFetch(403, body, {}));
    await expect(api.setDrained('n', true)).rejects.toEqual(
      new ApiError(403, 'forbidden', 'this token may only read'),
    );
  });

  it('learns a viewer role from a 403 and an operator role from a 404', async () => {
    const forbidden = { error: { code: 'forbidden', message: 'x' } };
    const unknown = { error: { code: 'unknown-node', message: 'x' } };
    expect(await new ApiClient('t', '', fakeFetch(403, forbidden, {})).role()).toBe('viewer');
    expect(await new ApiClient('t', '', fakeFetch(404, unknown, {})).role()).toBe('operator');
  });

  it('reports a bad token as an error from the role probe', async () => {
    const bad = { error: { code: 'unauthorized', message: 'x' } };
    await expect(new ApiClient('t', '', fakeFetch(401, bad, {})).role()).rejects.toBeInstanceOf(
      ApiError,
    );
  });
});

describe('takeToken', () => {
  function env(href: string, stored: string | null = null) {
    const map = new Map<string, string>();
    if (stored !== null) map.set(TOKEN_KEY, stored);
    const replaced: string[] = [];
    return {
      replaced,
      map,
      env: {
        storage: {
          getItem: (k: string) => map.get(k) ?? null,
          setItem: (k: string, v: string) => void map.set(k, v),
          removeItem: (k: string) => void map.delete(k),
        },
        href,
        replaceUrl: (u: string) => void replaced.push(u),
      },
    };
  }

  it('takes the token from the address, stores it and removes it from the address', () => {
    const e = env('http://h/console?token=abc&x=1#top');
    expect(takeToken(e.env)).toBe('abc');
    expect(e.map.get(TOKEN_KEY)).toBe('abc');
    expect(e.replaced).toEqual(['/console?x=1#top']);
  });

  it('falls back to the stored token', () => {
    const e = env('http://h/', 'kept');
    expect(takeToken(e.env)).toBe('kept');
    expect(e.replaced).toEqual([]);
  });
});
