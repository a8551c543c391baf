// Whole-mesh totals from the per-zone summaries of GET /v1/zones: sums for counts and rates,
// weighted means for utilisation (by nodes up) and carbon and energy mix (by power), and the
// worst zone's p99 (percentiles cannot be averaged). Also the mean battery per zone, from the
// live nodes. Pure.

import type { EnergySource, MeshNode, ZoneSummary } from './types';
import { ENERGY_SOURCES } from './types';

export type Totals = Omit<ZoneSummary, 'id'> & { id: 'all' };

function weighted(
  zs: ZoneSummary[],
  value: (z: ZoneSummary) => number,
  weight: (z: ZoneSummary) => number,
) {
  const w = zs.reduce((s, z) => s + weight(z), 0);
  return w > 0 ? zs.reduce((s, z) => s + value(z) * weight(z), 0) / w : 0;
}

export function meshTotals(zs: ZoneSummary[]): Totals {
  const sum = (f: (z: ZoneSummary) => number) => zs.reduce((s, z) => s + f(z), 0);
  const mix = {} as Record<EnergySource, number>;
  for (const k of ENERGY_SOURCES)
    mix[k] = weighted(
      zs,
      (z) => z.energy_mix[k] ?? 0,
      (z) => z.power_kw,
    );
  return {
    id: 'all',
    nodes: sum((z) => z.nodes),
    nodes_up: sum((z) => z.nodes_up),
    gpus_total: sum((z) => z.gpus_total),
    gpus_free: sum((z) => z.gpus_free),
    gpu_util: weighted(
      zs,
      (z) => z.gpu_util,
      (z) => z.nodes_up,
    ),
    power_kw: sum((z) => z.power_kw),
    energy_mix: mix,
    carbon_g_per_kwh: weighted(
      zs,
      (z) => z.carbon_g_per_kwh,
      (z) => z.power_kw,
    ),
    req_per_s: sum((z) => z.req_per_s),
    p50_ms: weighted(
      zs,
      (z) => z.p50_ms,
      (z) => z.req_per_s,
    ),
    p99_ms: Math.max(0, ...zs.map((z) => z.p99_ms)),
  };
}

/** Mean state of charge of each zone's nodes, and of all of them under "all". */
export function batteryByZone(nodes: MeshNode[]): Record<string, number> {
  const acc: Record<string, { s: number; n: number }> = { all: { s: 0, n: 0 } };
  for (const node of nodes) {
    const z = (acc[node.zone] ??= { s: 0, n: 0 });
    z.s += node.battery_soc;
    z.n++;
    (acc.all as { s: number; n: number }).s += node.battery_soc;
    (acc.all as { s: number; n: number }).n++;
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(acc)) out[k] = v.n > 0 ? v.s / v.n : 0;
  return out;
}
