// The mesh as it was at a past time, from the history store's rows: each row completed with the
// fields history does not keep (place, battery size) from the live node of the same id, and the
// zone panel's figures aggregated from those nodes the way the daemon aggregates its live zones.
// Pure.

import type { EnergySource, MeshNode, PastNodeRow, ZoneId } from '../types';
import { ENERGY_SOURCES, ZONES } from '../types';

/**
 * A past row as a node the panels can draw, or null when no live node says where it is. The
 * history records the simulated status only, so `drained` means the row's status is draining.
 */
export function pastNode(row: PastNodeRow, live: MeshNode | undefined): MeshNode | null {
  if (live === undefined) return null;
  return {
    ...live,
    zone: row.zone,
    status: row.status,
    drained: row.status === 'draining',
    energy_source: row.energy_source,
    carbon_g_per_kwh: row.carbon_g_per_kwh,
    battery_soc: row.battery_soc,
    gpu_util: row.gpu_util,
    gpus_free: row.gpus_free,
    gpus_total: row.gpus_total,
    queue_depth: row.queue_depth,
    power_kw: row.power_kw,
    models: row.models,
    last_seen: row.valid_from,
  };
}

/** The past nodes by id and in the rows' order, leaving out those with no live place. */
export function pastNodes(
  rows: PastNodeRow[],
  live: Record<string, MeshNode>,
): { nodes: Record<string, MeshNode>; order: string[] } {
  const nodes: Record<string, MeshNode> = {};
  const order: string[] = [];
  for (const r of rows) {
    const n = pastNode(r, live[r.id]);
    if (n === null) continue;
    nodes[n.id] = n;
    order.push(n.id);
  }
  return { nodes, order };
}

/** A zone's figures from its nodes; request rates and latency are not in the history. */
export interface AsOfZone {
  id: ZoneId | 'all';
  nodes: number;
  nodes_up: number;
  gpus_total: number;
  gpus_free: number;
  gpu_util: number;
  power_kw: number;
  energy_mix: Record<EnergySource, number>;
  carbon_g_per_kwh: number;
  battery_soc: number;
}

interface Acc {
  nodes: number;
  up: number;
  gpus: number;
  free: number;
  util: number;
  power: number;
  carbonKw: number;
  soc: number;
  bySource: Record<EnergySource, number>;
}

function emptyAcc(): Acc {
  const bySource = {} as Record<EnergySource, number>;
  for (const k of ENERGY_SOURCES) bySource[k] = 0;
  return { nodes: 0, up: 0, gpus: 0, free: 0, util: 0, power: 0, carbonKw: 0, soc: 0, bySource };
}

/* As the daemon counts its zones: every node adds its GPUs and power; an up node its load. */
function add(a: Acc, n: MeshNode): void {
  a.nodes++;
  a.gpus += n.gpus_total;
  a.power += n.power_kw;
  a.carbonKw += n.power_kw * n.carbon_g_per_kwh;
  a.bySource[n.energy_source] += n.power_kw;
  a.soc += n.battery_soc;
  if (n.status === 'up' && !n.drained) {
    a.up++;
    a.free += n.gpus_free;
    a.util += n.gpu_util;
  }
}

function finish(id: AsOfZone['id'], a: Acc): AsOfZone {
  const mix = {} as Record<EnergySource, number>;
  for (const k of ENERGY_SOURCES) mix[k] = a.power > 0 ? a.bySource[k] / a.power : 0;
  return {
    id,
    nodes: a.nodes,
    nodes_up: a.up,
    gpus_total: a.gpus,
    gpus_free: a.free,
    gpu_util: a.up > 0 ? a.util / a.up : 0,
    power_kw: a.power,
    energy_mix: mix,
    carbon_g_per_kwh: a.power > 0 ? a.carbonKw / a.power : 0,
    battery_soc: a.nodes > 0 ? a.soc / a.nodes : 0,
  };
}

/** Each zone's figures and the whole mesh's ("all", last), from the nodes as they were. */
export function asOfZones(nodes: MeshNode[]): AsOfZone[] {
  const accs = new Map<ZoneId, Acc>(ZONES.map((z) => [z, emptyAcc()]));
  const all = emptyAcc();
  for (const n of nodes) {
    const a = accs.get(n.zone);
    if (a !== undefined) add(a, n);
    add(all, n);
  }
  const zones = ZONES.filter((z) => (accs.get(z)?.nodes ?? 0) > 0).map((z) =>
    finish(z, accs.get(z) ?? emptyAcc()),
  );
  return [...zones, finish('all', all)];
}
