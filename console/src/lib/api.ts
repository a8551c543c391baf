// A small REST client for the daemon: bearer token on every call, JSON in and out, and the
// daemon's {"error":{"code","message"}} turned into an ApiError that keeps the HTTP status (403
// tells the console the token may only read). Pure TS over an injected fetch.

import type { NodeHistory } from './history';
import type { MeshEvent, MeshNode, PastNodeRow, ZoneId, ZoneSummary } from './types';

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

/** One bucket of GET /v1/zones/{id}/history (only the fields the console reads). */
export interface ZoneHistoryBucket {
  time: number;
  samples: number;
  nodes_up: number;
}

export interface ZoneHistory {
  zone: ZoneId;
  from: number;
  to: number;
  step: number;
  buckets: ZoneHistoryBucket[];
}

export interface EventQuery {
  type?: string;
  zone?: string;
  severity?: string;
  q?: string;
  since?: number;
  limit?: number;
}

const HOUR_US = 3_600_000_000;

/** A node id no node can have but that the drain path accepts: used to learn the token's role. */
const ROLE_PROBE_ID = 'zz-role-probe-0';

export class ApiClient {
  constructor(
    private readonly token: string,
    private readonly base = '',
    private readonly fetchFn: FetchLike = (u, i) => fetch(u, i),
  ) {}

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal !== undefined) init.signal = signal;
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

  /**
   * The node's hour in buckets of `step` (e.g. "1m"), from the history store: the last hour,
   * or the hour up to `to` (microseconds) when given.
   */
  async history(id: string, step = '1m', to?: number): Promise<NodeHistory> {
    const q = new URLSearchParams({ step });
    if (to !== undefined) {
      q.set('from', String(to - HOUR_US));
      q.set('to', String(to));
    }
    return this.request('GET', `/v1/nodes/${encodeURIComponent(id)}/history?${q.toString()}`);
  }

  /** Every node as the history knew it at valid time `at` (microseconds). */
  async nodesAt(at: number, signal?: AbortSignal): Promise<PastNodeRow[]> {
    const path = `/v1/nodes?valid_at=${at}`;
    const r = await this.request<{ nodes: PastNodeRow[] }>('GET', path, undefined, signal);
    return r.nodes;
  }

  /** One node as the history knew it at valid time `at` (microseconds). */
  async nodeAt(id: string, at: number, signal?: AbortSignal): Promise<PastNodeRow> {
    const path = `/v1/nodes/${encodeURIComponent(id)}?valid_at=${at}`;
    const r = await this.request<{ node: PastNodeRow }>('GET', path, undefined, signal);
    return r.node;
  }

  /** A zone's history from `from` to `to` (microseconds) in buckets of `step` (e.g. "1h"). */
  async zoneHistory(zone: ZoneId, from: number, to: number, step: string): Promise<ZoneHistory> {
    const q = new URLSearchParams({ from: String(from), to: String(to), step });
    return this.request('GET', `/v1/zones/${zone}/history?${q.toString()}`);
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
