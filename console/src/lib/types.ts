// The daemon's wire shapes (REST bodies and stream frames) as TypeScript types. Pure data.

export const ZONES = ['west', 'central', 'east'] as const;
export type ZoneId = (typeof ZONES)[number];

export const ENERGY_SOURCES = [
  'cogen-solar',
  'cogen-wind',
  'cogen-gas',
  'battery',
  'grid',
] as const;
export type EnergySource = (typeof ENERGY_SOURCES)[number];

export const NODE_STATUSES = ['up', 'draining', 'down'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const EVENT_TYPES = [
  'node-up',
  'node-down',
  'node-draining',
  'battery-low',
  'battery-recovered',
  'energy-source-change',
  'queue-overflow',
  'request-failed',
  'store-write-failed',
  'store-write-recovered',
  'bus-backlog',
  'bus-backlog-drained',
  'bus-buffer-full',
] as const;

/** The fields a telemetry delta carries for one node. */
export interface NodeDynamic {
  status: NodeStatus;
  drained: boolean;
  energy_source: EnergySource;
  carbon_g_per_kwh: number;
  battery_soc: number;
  gpu_util: number;
  gpus_free: number;
  queue_depth: number;
  power_kw: number;
  last_seen: number;
}

/** A node as GET /v1/nodes and the snapshot frame describe it. */
export interface MeshNode extends NodeDynamic {
  id: string;
  zone: ZoneId;
  site: string;
  lat: number;
  lon: number;
  gpus_total: number;
  battery_kwh: number;
  models: string[];
}

export type NodeDelta = Partial<NodeDynamic> & { id: string };

/**
 * A node as the history store knew it at a past time (GET /v1/nodes?valid_at=T): the live
 * fields without the place, battery size, operator drain and last_seen, plus the valid time of
 * the row (`valid_from`), its system time (`recorded_at`) and what kind of row it was.
 */
export interface PastNodeRow {
  id: string;
  zone: ZoneId;
  status: NodeStatus;
  energy_source: EnergySource;
  carbon_g_per_kwh: number;
  battery_soc: number;
  gpu_util: number;
  gpus_free: number;
  gpus_total: number;
  queue_depth: number;
  power_kw: number;
  models: string[];
  valid_from: number;
  recorded_at: number;
  kind: 'telemetry' | 'keyframe' | 'correction';
}

export interface ZoneSummary {
  id: ZoneId;
  nodes: number;
  nodes_up: number;
  gpus_total: number;
  gpus_free: number;
  gpu_util: number;
  power_kw: number;
  energy_mix: Record<EnergySource, number>;
  carbon_g_per_kwh: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
}

export interface MeshEvent {
  seq: number;
  time: number;
  type: string;
  severity: Severity;
  /** null for an event of the whole daemon (its history store failing). */
  zone: ZoneId | null;
  node: string | null;
  message: string;
  coalesced: number;
}

export interface LatLon {
  lat: number;
  lon: number;
}

/** One routing decision as the stream's "decisions" frame carries it. */
export interface StreamDecision {
  request: number;
  model: string;
  priority: string;
  outcome: 'placed' | 'deferred' | 'unavailable';
  node: string | null;
  zone: ZoneId | null;
  policy: string;
  score: number;
  spilled: boolean;
  /** Where the request came from, when the daemon sends it. */
  origin?: LatLon;
}

/** A data transfer to the HPC facility, when the daemon sends such frames. */
export interface Transfer {
  id: string;
  node: string;
  bytes: number;
  state: string;
}

interface FrameHead {
  seq: number;
  v: number;
  time: number;
}

export type StreamFrame =
  | (FrameHead & { type: 'snapshot'; nodes: MeshNode[] })
  | (FrameHead & { type: 'telemetry'; nodes: NodeDelta[] })
  | (FrameHead & { type: 'decisions'; decisions: StreamDecision[]; dropped: number })
  | (FrameHead & { type: 'events'; events: MeshEvent[]; dropped: number })
  | (FrameHead & { type: 'transfers'; transfers: Transfer[] });

/** The HPC facility at Oak Ridge, TN, where transfers go. */
export const OAK_RIDGE: LatLon = { lat: 35.93, lon: -84.31 };

/** Parses one frame's text; null for anything that is not a known frame. */
export function parseFrame(text: string): StreamFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const f = value as { seq?: unknown; type?: unknown };
  if (typeof f.seq !== 'number' || typeof f.type !== 'string') return null;
  const known = ['snapshot', 'telemetry', 'decisions', 'events', 'transfers'];
  return known.includes(f.type) ? (value as StreamFrame) : null;
}
