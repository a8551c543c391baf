import { describe, expect, it } from 'vitest';

import type { MeshNode } from '../types';
import { arcPath, convexHull, nodeRadius, zoneOutlines } from './geometry';
import { buildLayers, nodeColor } from './layers';
import { DEFAULT_PALETTE, mix, parseColor, readPalette } from './palette';

describe('globe geometry', () => {
  it('grows node radius with GPU use from a visible floor', () => {
    expect(nodeRadius(0)).toBeGreaterThan(0);
    expect(nodeRadius(1)).toBeGreaterThan(nodeRadius(0.5));
    expect(nodeRadius(5)).toBe(nodeRadius(1));
  });

  it('finds the convex hull of a square with a point inside', () => {
    const hull = convexHull([
      [0, 0],
      [2, 0],
      [2, 2],
      [0, 2],
      [1, 1],
    ]);
    expect(hull).toHaveLength(4);
    expect(hull).not.toContainEqual([1, 1]);
  });

  it('outlines each zone in a closed ring', () => {
    const n = (zone: 'west' | 'east', lon: number, lat: number) => ({ zone, lon, lat }) as MeshNode;
    const zs = zoneOutlines([n('west', 0, 0), n('west', 1, 0), n('west', 0, 1), n('east', 5, 5)]);
    expect(zs.map((z) => z.zone)).toEqual(['west', 'east']);
    const ring = zs[0]!.path;
    expect(ring[0]).toEqual(ring[ring.length - 1]);
  });

  it('draws an arc that starts and ends on the ground at the two places', () => {
    const p = arcPath({ lat: 40, lon: -120 }, { lat: 35.93, lon: -84.31 }, 10);
    expect(p).toHaveLength(11);
    expect(p[0]![0]).toBeCloseTo(-120);
    expect(p[0]![1]).toBeCloseTo(40);
    expect(p[10]![0]).toBeCloseTo(-84.31);
    expect(p[10]![2]).toBeCloseTo(0);
    expect(p[5]![2]).toBeGreaterThan(0);
  });
});

describe('globe palette and layers', () => {
  it('parses CSS colours', () => {
    expect(parseColor('#ff0000')).toEqual([255, 0, 0, 255]);
    expect(parseColor(' #0f0 ')).toEqual([0, 255, 0, 255]);
    expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3, 255]);
    expect(parseColor('nonsense')).toBeNull();
  });

  it('lets CSS variables override the default colours', () => {
    const p = readPalette((name) => (name === '--energy-grid' ? '#010203' : ''));
    expect(p.energy.grid).toEqual([1, 2, 3, 255]);
    expect(p.energy.battery).toEqual(DEFAULT_PALETTE.energy.battery);
  });

  it('mixes colours', () => {
    expect(mix([0, 0, 0, 255], [100, 200, 50, 255], 0.5)).toEqual([50, 100, 25, 255]);
  });

  it('colours a node by its energy source, and a down node as down', () => {
    const n = { status: 'up', energy_source: 'cogen-wind' } as MeshNode;
    expect(nodeColor(n, DEFAULT_PALETTE)).toEqual(DEFAULT_PALETTE.energy['cogen-wind']);
    expect(nodeColor({ ...n, status: 'down' }, DEFAULT_PALETTE)).toEqual(DEFAULT_PALETTE.down);
  });

  it('builds the layers bottom to top', () => {
    const layers = buildLayers(
      {
        nodes: [],
        version: 0,
        flows: [],
        transfers: [],
        zones: [],
        land: null,
        states: null,
        selected: null,
        now: 0,
      },
      DEFAULT_PALETTE,
    );
    expect(layers.map((l) => l.id)).toEqual([
      'ocean',
      'zones',
      'battery',
      'nodes',
      'flows',
      'transfers',
      'oak-ridge',
    ]);
  });
});
