import { describe, expect, it } from 'vitest';

import type { MeshNode, ZoneSummary } from './types';
import { batteryByZone, meshTotals } from './zones';

const zone = (id: 'west' | 'east', over: Partial<ZoneSummary>): ZoneSummary => ({
  id,
  nodes: 10,
  nodes_up: 10,
  gpus_total: 40,
  gpus_free: 20,
  gpu_util: 0.5,
  power_kw: 100,
  energy_mix: { 'cogen-solar': 1, 'cogen-wind': 0, 'cogen-gas': 0, battery: 0, grid: 0 },
  carbon_g_per_kwh: 100,
  req_per_s: 1,
  p50_ms: 10,
  p99_ms: 100,
  ...over,
});

describe('meshTotals', () => {
  const zs = [
    zone('west', { power_kw: 300, carbon_g_per_kwh: 100, p99_ms: 50 }),
    zone('east', {
      power_kw: 100,
      carbon_g_per_kwh: 500,
      nodes_up: 0,
      gpu_util: 0.9,
      energy_mix: { 'cogen-solar': 0, 'cogen-wind': 0, 'cogen-gas': 0, battery: 0, grid: 1 },
      p99_ms: 900,
    }),
  ];

  it('sums counts and rates', () => {
    const t = meshTotals(zs);
    expect(t.nodes).toBe(20);
    expect(t.req_per_s).toBe(2);
    expect(t.power_kw).toBe(400);
  });

  it('weights carbon and mix by power and utilisation by nodes up', () => {
    const t = meshTotals(zs);
    expect(t.carbon_g_per_kwh).toBe(200);
    expect(t.energy_mix.grid).toBe(0.25);
    expect(t.gpu_util).toBe(0.5);
  });

  it('takes the worst p99', () => {
    expect(meshTotals(zs).p99_ms).toBe(900);
  });

  it('is all zeros for no zones', () => {
    expect(meshTotals([]).carbon_g_per_kwh).toBe(0);
  });
});

describe('batteryByZone', () => {
  it('averages state of charge per zone and overall', () => {
    const n = (zone: string, soc: number) => ({ zone, battery_soc: soc }) as MeshNode;
    const b = batteryByZone([n('west', 0.2), n('west', 0.4), n('east', 0.9)]);
    expect(b.west).toBeCloseTo(0.3);
    expect(b.east).toBeCloseTo(0.9);
    expect(b.all).toBeCloseTo(0.5);
  });
});
