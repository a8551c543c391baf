// A small REST client for the daemon: bearer token on every call, JSON in and out, and the
// daemon's {"error":{"code","message"}} turned into an ApiError that keeps the HTTP status (403
// tells the console the token may only read). Pure TS over an injected fetch.

import type { NodeHistory } from './history';
import type { MeshEvent, MeshNode, ZoneSummary } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export type Role = 'operator' | 'viewer';

export interface EventQuery {
  type?: string;
  zone?: string;
  severity?: string;
  q?: string;
  since?: number;
  limit?: number;
}

/** A node id no node can have but that the drain path accepts: used to learn the token's role. */
const ROLE_PROBE_ID = 'zz-role-probe-0';

export class ApiClient {
  constructor(
    private readonly token: string,
    private readonly base = '',
    private readonly fetchFn: FetchLike = (u, i) => fetch(u, i),
  ) {}

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await this.fetchFn(this.base + path, init);
    const text = await res.text();
    const json: unknown = text === '' ? {} : JSON.parse(text);
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } }).error;
      throw new ApiError(res.status, e?.code ?? 'http', e?.message ?? `HTTP ${res.status}`);
    }
    return json as T;
  }

  async nodes(filter: Record<string, string> = {}): Promise<MeshNode[]> {
    const q = new URLSearchParams(filter).toString();
    const r = await this.request<{ nodes: MeshNode[] }>('GET', `/v1/nodes${q ? `?${q}` : ''}`);
    return r.nodes;
  }

  async node(id: string): Promise<MeshNode> {
    const r = await this.request<{ node: MeshNode }>('GET', `/v1/nodes/${encodeURIComponent(id)}`);
    return r.node;
  }

  async zones(): Promise<{ zones: ZoneSummary[]; time: number }> {
    return this.request('GET', '/v1/zones');
  }

  async events(query: EventQuery = {}): Promise<MeshEvent[]> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    const r = await this.request<{ events: MeshEvent[] }>('GET', `/v1/events${s ? `?${s}` : ''}`);
    return r.events;
  }

  /** The node's last hour in buckets of `step` (e.g. "1m"), from the history store. */
  async history(id: string, step = '1m'): Promise<NodeHistory> {
    const path = `/v1/nodes/${encodeURIComponent(id)}/history?step=${encodeURIComponent(step)}`;
    return this.request('GET', path);
  }

  async setDrained(id: string, drained: boolean): Promise<MeshNode> {
    const verb = drained ? 'drain' : 'undrain';
    const path = `/v1/nodes/${encodeURIComponent(id)}/${verb}`;
    const r = await this.request<{ node: MeshNode }>('POST', path);
    return r.node;
  }

  /**
   * Learns whether the token may change things, without changing anything: draining a node
   * that cannot exist answers 403 to a viewer and 404 (unknown node) to an operator. 401
   * means the token is not valid at all.
   */
  async role(): Promise<Role> {
    try {
      await this.request('POST', `/v1/nodes/${ROLE_PROBE_ID}/drain`);
      return 'operator';
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) return 'viewer';
      if (e instanceof ApiError && e.status === 404) return 'operator';
      throw e;
    }
  }
}
