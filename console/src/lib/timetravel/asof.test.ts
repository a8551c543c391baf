import { describe, expect, it } from 'vitest';

import type { MeshNode, PastNodeRow } from '../types';
import { asOfZones, pastNode, pastNodes } from './asof';

const live = (id: string, over: Partial<MeshNode> = {}): MeshNode => ({
  id,
  zone: 'west',
  site: `site of ${id}`,
  lat: 45,
  lon: -122,
  gpus_total: 4,
  battery_kwh: 100,
  models: ['m'],
  status: 'up',
  drained: false,
  energy_source: 'grid',
  carbon_g_per_kwh: 400,
  battery_soc: 0.9,
  gpu_util: 0.1,
  gpus_free: 4,
  queue_depth: 0,
  power_kw: 1,
  last_seen: 99,
  ...over,
});

const row = (id: string, over: Partial<PastNodeRow> = {}): PastNodeRow => ({
  id,
  zone: 'west',
  status: 'up',
  energy_source: 'cogen-solar',
  carbon_g_per_kwh: 40,
  battery_soc: 0.5,
  gpu_util: 0.25,
  gpus_free: 3,
  gpus_total: 4,
  queue_depth: 2,
  power_kw: 2,
  models: ['m'],
  valid_from: 1000,
  recorded_at: 2000,
  kind: 'telemetry',
  ...over,
});

describe('pastNode', () => {
  it('takes the figures from the row and the place from the live node', () => {
    const n = pastNode(row('a'), live('a', { drained: true, status: 'draining' }));
    expect(n).toMatchObject({ site: 'site of a', lat: 45, battery_kwh: 100 });
    expect(n).toMatchObject({ status: 'up', drained: false, battery_soc: 0.5, last_seen: 1000 });
    expect(n?.energy_source).toBe('cogen-solar');
  });

  it('reads a draining row as drained', () => {
    expect(pastNode(row('a', { status: 'draining' }), live('a'))?.drained).toBe(true);
  });

  it('cannot place a node the live mesh does not know', () => {
    expect(pastNode(row('ghost'), undefined)).toBeNull();
    const p = pastNodes([row('a'), row('ghost'), row('b')], { a: live('a'), b: live('b') });
    expect(p.order).toEqual(['a', 'b']);
    expect(Object.keys(p.nodes)).toEqual(['a', 'b']);
  });
});

describe('asOfZones', () => {
  const n = (id: string, over: Partial<MeshNode>) => live(id, over);

  it('counts nodes and up nodes per zone, and the whole mesh last', () => {
    const zs = asOfZones([
      n('a', { zone: 'west' }),
      n('b', { zone: 'west', status: 'down' }),
      n('c', { zone: 'east', drained: true, status: 'draining' }),
    ]);
    expect(zs.map((z) => [z.id, z.nodes, z.nodes_up])).toEqual([
      ['west', 2, 1],
      ['east', 1, 0],
      ['all', 3, 1],
    ]);
  });

  it('averages utilisation over up nodes only, as the daemon does', () => {
    const [west] = asOfZones([
      n('a', { gpu_util: 0.8, gpus_free: 1 }),
      n('b', { gpu_util: 0.2, gpus_free: 3 }),
      n('c', { gpu_util: 1, status: 'down', gpus_free: 0 }),
    ]);
    expect(west?.gpu_util).toBeCloseTo(0.5);
    expect(west?.gpus_free).toBe(4);
    expect(west?.gpus_total).toBe(12);
  });

  it('weighs carbon and the energy mix by power', () => {
    const [west] = asOfZones([
      n('a', { power_kw: 3, carbon_g_per_kwh: 100, energy_source: 'cogen-wind' }),
      n('b', { power_kw: 1, carbon_g_per_kwh: 500, energy_source: 'grid' }),
    ]);
    expect(west?.power_kw).toBe(4);
    expect(west?.carbon_g_per_kwh).toBeCloseTo(200);
    expect(west?.energy_mix['cogen-wind']).toBeCloseTo(0.75);
    expect(west?.energy_mix.grid).toBeCloseTo(0.25);
    expect(west?.energy_mix['cogen-solar']).toBe(0);
  });

  it('averages battery over every node', () => {
    const zs = asOfZones([
      n('a', { battery_soc: 0.2 }),
      n('b', { battery_soc: 0.6, zone: 'east' }),
    ]);
    expect(zs.find((z) => z.id === 'all')?.battery_soc).toBeCloseTo(0.4);
  });

  it('gives zeros, not NaN, for a mesh without power or nodes', () => {
    const [all] = asOfZones([]);
    expect(all).toMatchObject({ id: 'all', nodes: 0, gpu_util: 0, carbon_g_per_kwh: 0 });
    expect(all?.battery_soc).toBe(0);
  });
});
