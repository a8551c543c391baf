// Pure reducers that apply stream frames to the console's view of the mesh: a snapshot replaces
// every node, telemetry deltas patch nodes in place, decisions become fading flows, events are
// appended to a bounded log. They mutate the draft they are given (Immer drafts in the store,
// plain objects in tests) and never touch React.

import type {
  LatLon,
  MeshEvent,
  MeshNode,
  StreamDecision,
  StreamFrame,
  Transfer,
  ZoneId,
} from '../lib/types';
import { OAK_RIDGE } from '../lib/types';

/** An inference flow drawn as an arc from where a request came from to where it ran. */
export interface Flow {
  id: number;
  from: LatLon;
  to: LatLon;
  node: string;
  model: string;
  born: number;
}

export interface TransferArc {
  id: string;
  from: LatLon;
  to: LatLon;
  state: string;
  born: number;
}

export interface MeshState {
  nodes: Record<string, MeshNode>;
  /** Node ids in the daemon's order, for stable drawing and listing. */
  order: string[];
  /** Bumped on every change to nodes, so layers know to recompute. */
  version: number;
  flows: Flow[];
  transfers: TransferArc[];
  events: MeshEvent[];
  lastSeq: number | null;
  snapshotTime: number;
  /** The daemon's (simulated) clock, in microseconds, from the latest frame; 0 before any. */
  time: number;
}

export const FLOW_LIFETIME_MS = 4000;
export const MAX_FLOWS = 400;
export const MAX_EVENTS = 200_000;

/** Where requests come from when the decision frame does not say: each zone's main city. */
export const ZONE_ORIGINS: Record<ZoneId, LatLon> = {
  west: { lat: 37.77, lon: -122.42 },
  central: { lat: 41.88, lon: -87.63 },
  east: { lat: 40.71, lon: -74.01 },
};

export function emptyMesh(): MeshState {
  return {
    nodes: {},
    order: [],
    version: 0,
    flows: [],
    transfers: [],
    events: [],
    lastSeq: null,
    snapshotTime: 0,
    time: 0,
  };
}

function applyDecisions(m: MeshState, ds: StreamDecision[], now: number): void {
  for (const d of ds) {
    if (d.outcome !== 'placed' || d.node === null) continue;
    const n = m.nodes[d.node];
    if (n === undefined) continue;
    const from = d.origin ?? (d.zone !== null ? ZONE_ORIGINS[d.zone] : undefined);
    if (from === undefined) continue;
    m.flows.push({
      id: d.request,
      from,
      to: { lat: n.lat, lon: n.lon },
      node: n.id,
      model: d.model,
      born: now,
    });
  }
  if (m.flows.length > MAX_FLOWS) m.flows.splice(0, m.flows.length - MAX_FLOWS);
}

function applyTransfers(m: MeshState, ts: Transfer[], now: number): void {
  for (const t of ts) {
    const n = m.nodes[t.node];
    if (n === undefined) continue;
    const arc = { id: t.id, from: { lat: n.lat, lon: n.lon }, to: OAK_RIDGE, state: t.state };
    const i = m.transfers.findIndex((x) => x.id === t.id);
    if (i >= 0) m.transfers[i] = { ...arc, born: now };
    else m.transfers.push({ ...arc, born: now });
  }
  m.transfers = m.transfers.filter((t) => t.state !== 'done' && t.state !== 'failed');
}

function appendEvents(m: MeshState, evs: MeshEvent[]): void {
  for (const e of evs) m.events.push(e);
  if (m.events.length > MAX_EVENTS) m.events.splice(0, m.events.length - MAX_EVENTS);
}

/** Applies one frame. `now` is the console's clock in ms (for flow fading). */
export function applyFrame(m: MeshState, f: StreamFrame, now: number): void {
  switch (f.type) {
    case 'snapshot':
      m.nodes = {};
      m.order = f.nodes.map((n) => n.id);
      for (const n of f.nodes) m.nodes[n.id] = n;
      m.flows = [];
      m.version++;
      m.snapshotTime = f.time;
      break;
    case 'telemetry':
      for (const d of f.nodes) {
        const n = m.nodes[d.id];
        if (n !== undefined) m.nodes[d.id] = { ...n, ...d };
      }
      m.version++;
      break;
    case 'decisions':
      applyDecisions(m, f.decisions, now);
      break;
    case 'events':
      appendEvents(m, f.events);
      break;
    case 'transfers':
      applyTransfers(m, f.transfers, now);
      break;
  }
  m.lastSeq = f.seq;
  if (typeof f.time === 'number') m.time = f.time;
}

/** Applies a batch of frames (one animation frame's worth) in order. */
export function applyFrames(m: MeshState, frames: StreamFrame[], now: number): void {
  for (const f of frames) applyFrame(m, f, now);
  pruneFlows(m, now);
}

/**
 * The mesh after a batch, built copy-on-write outside Immer: the node table, flow, transfer and
 * event lists are copied once (shallowly) and changed nodes replaced, so unchanged nodes keep
 * their identity and a batch for 10k nodes costs a few milliseconds rather than 10k drafts.
 */
export function advanceMesh(m: MeshState, frames: StreamFrame[], now: number): MeshState {
  const next: MeshState = {
    ...m,
    nodes: { ...m.nodes },
    flows: m.flows.slice(),
    transfers: m.transfers.slice(),
    events: frames.some((f) => f.type === 'events') ? m.events.slice() : m.events,
  };
  applyFrames(next, frames, now);
  return next;
}

/** Drops flows older than their lifetime. */
export function pruneFlows(m: MeshState, now: number): void {
  const keep = m.flows.findIndex((f) => now - f.born < FLOW_LIFETIME_MS);
  if (keep < 0) m.flows = [];
  else if (keep > 0) m.flows.splice(0, keep);
}

/** How visible a flow is at `now`: 1 when new, fading to 0 at the end of its life. */
export function flowOpacity(f: Flow, now: number): number {
  const age = (now - f.born) / FLOW_LIFETIME_MS;
  return Math.max(0, Math.min(1, 1 - age));
}

/** Nodes in the daemon's order. */
export function nodeList(m: Pick<MeshState, 'nodes' | 'order'>): MeshNode[] {
  const out: MeshNode[] = [];
  for (const id of m.order) {
    const n = m.nodes[id];
    if (n !== undefined) out.push(n);
  }
  return out;
}

/** Merges events fetched over REST (history) with those already held, by seq, no duplicates. */
export function mergeEvents(held: MeshEvent[], fetched: MeshEvent[]): MeshEvent[] {
  const seen = new Set(held.map((e) => e.seq));
  const merged = held.concat(fetched.filter((e) => !seen.has(e.seq)));
  merged.sort((a, b) => a.seq - b.seq);
  return merged;
}
