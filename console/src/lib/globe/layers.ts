// Builds the globe's deck.gl layers from plain data: land and state borders, zone outlines,
// nodes coloured by energy source and sized by GPU use with a battery ring around each, inference
// flows as fading arcs, transfers to Oak Ridge as arcs. No React here: the Globe component
// calls buildLayers with the store's data and hands the result to DeckGL.

import type { Layer } from '@deck.gl/core';
import { GeoJsonLayer, PathLayer, ScatterplotLayer, SolidPolygonLayer } from '@deck.gl/layers';

import type { Flow, TransferArc } from '../../store/mesh';
import { flowOpacity } from '../../store/mesh';
import type { MeshNode } from '../types';
import { OAK_RIDGE } from '../types';
import { arcPath, nodeRadius, type ZoneOutline } from './geometry';
import { mix, type Palette, type Rgba } from './palette';

export interface GlobeData {
  nodes: MeshNode[];
  /** Changes whenever any node changed (the store's version). */
  version: number;
  flows: Flow[];
  transfers: TransferArc[];
  zones: ZoneOutline[];
  land: GeoJSON.FeatureCollection | null;
  states: GeoJSON.MultiLineString | null;
  selected: string | null;
  now: number;
}

export function nodeColor(n: MeshNode, p: Palette): Rgba {
  if (n.status === 'down') return p.down;
  const c = p.energy[n.energy_source] ?? p.energy.grid;
  return n.status === 'draining' ? [c[0], c[1], c[2], 110] : c;
}

export function batteryColor(n: MeshNode, p: Palette): Rgba {
  return mix(p.batteryLow, p.batteryHigh, n.battery_soc);
}

function withAlpha(c: Rgba, a: number): Rgba {
  return [c[0], c[1], c[2], Math.round(c[3] * a)];
}

const OCEAN_RING: [number, number][] = [
  [-180, 90],
  [0, 90],
  [180, 90],
  [180, -90],
  [0, -90],
  [-180, -90],
];

function baseLayers(d: GlobeData, p: Palette): Layer[] {
  const out: Layer[] = [
    new SolidPolygonLayer({
      id: 'ocean',
      data: [{ polygon: OCEAN_RING }],
      getPolygon: (x: { polygon: [number, number][] }) => x.polygon,
      getFillColor: p.ocean,
    }),
  ];
  if (d.land !== null) {
    out.push(
      new GeoJsonLayer({
        id: 'land',
        data: d.land,
        filled: true,
        stroked: false,
        getFillColor: p.land,
      }),
    );
  }
  if (d.states !== null) {
    out.push(
      new GeoJsonLayer({
        id: 'states',
        data: d.states as unknown as GeoJSON.Feature,
        stroked: true,
        filled: false,
        getLineColor: p.border,
        lineWidthMinPixels: 1,
      }),
    );
  }
  return out;
}

function nodeLayers(d: GlobeData, p: Palette): Layer[] {
  const trig = [d.version, p];
  return [
    new ScatterplotLayer<MeshNode>({
      id: 'battery',
      data: d.nodes,
      getPosition: (n) => [n.lon, n.lat],
      getRadius: (n) => nodeRadius(n.gpu_util) + 14_000,
      stroked: true,
      filled: false,
      getLineColor: (n) => batteryColor(n, p),
      getLineWidth: (n) => 3_000 + 9_000 * n.battery_soc,
      lineWidthUnits: 'meters',
      updateTriggers: { getRadius: trig, getLineColor: trig, getLineWidth: trig },
    }),
    new ScatterplotLayer<MeshNode>({
      id: 'nodes',
      data: d.nodes,
      pickable: true,
      getPosition: (n) => [n.lon, n.lat],
      getRadius: (n) => nodeRadius(n.gpu_util),
      radiusMinPixels: 2,
      getFillColor: (n) => nodeColor(n, p),
      stroked: true,
      getLineColor: (n) => (n.id === d.selected ? p.selected : [0, 0, 0, 0]),
      lineWidthMinPixels: 2,
      updateTriggers: { getRadius: trig, getFillColor: trig, getLineColor: [d.selected] },
    }),
  ];
}

/*
 * Arcs are PathLayers over great-circle points computed here (geometry.ts), not deck.gl's
 * ArcLayer, which drew nothing in GlobeView under software WebGL.
 */
function arcLayers(d: GlobeData, p: Palette): Layer[] {
  return [
    new PathLayer<Flow>({
      id: 'flows',
      data: d.flows,
      getPath: (f) => arcPath(f.from, f.to, 12),
      getColor: (f) => withAlpha(p.flow, 0.7 * flowOpacity(f, d.now)),
      getWidth: 2,
      widthUnits: 'pixels',
      updateTriggers: { getColor: d.now },
    }),
    new PathLayer<TransferArc>({
      id: 'transfers',
      data: d.transfers,
      getPath: (t) => arcPath(t.from, t.to, 32, 0.25),
      getColor: p.transfer,
      getWidth: 3,
      widthUnits: 'pixels',
    }),
    new ScatterplotLayer({
      id: 'oak-ridge',
      data: [OAK_RIDGE],
      getPosition: (x: { lat: number; lon: number }) => [x.lon, x.lat],
      getRadius: 40_000,
      getFillColor: [0, 0, 0, 0],
      stroked: true,
      getLineColor: p.transfer,
      lineWidthMinPixels: 2,
    }),
  ];
}

/** Every layer, bottom to top. */
export function buildLayers(d: GlobeData, p: Palette): Layer[] {
  const zones = new PathLayer<ZoneOutline>({
    id: 'zones',
    data: d.zones,
    getPath: (z) => z.path,
    getColor: p.zone,
    getWidth: 2,
    widthUnits: 'pixels',
  });
  return [...baseLayers(d, p), zones, ...nodeLayers(d, p), ...arcLayers(d, p)];
}
