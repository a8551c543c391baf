// Geometry for the globe that does not depend on deck.gl: node sizes, zone outlines (the convex
// hull of each zone's nodes, padded), and the land and state boundaries decoded from the
// world-atlas and us-atlas TopoJSON packages. Pure.

import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

import type { LatLon, MeshNode, ZoneId } from '../types';

const EARTH_RADIUS_M = 6_371_000;

/** Node radius in metres: a floor so idle nodes stay visible, growing with GPU use. */
export function nodeRadius(gpuUtil: number): number {
  return 18_000 + 52_000 * Math.max(0, Math.min(1, gpuUtil));
}

type Pt = [number, number];
type Pt3 = [number, number, number];

function cross(o: Pt, a: Pt, b: Pt): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** True when the chain's last two points and p do not turn left (p makes them concave). */
function turnsRight(chain: Pt[], p: Pt): boolean {
  const a = chain[chain.length - 2];
  const b = chain[chain.length - 1];
  return a !== undefined && b !== undefined && cross(a, b, p) <= 0;
}

/** Convex hull (monotone chain), counter-clockwise, without repeating the first point. */
export function convexHull(points: Pt[]): Pt[] {
  const ps = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (ps.length < 3) return ps;
  const lower: Pt[] = [];
  for (const p of ps) {
    while (turnsRight(lower, p)) lower.pop();
    lower.push(p);
  }
  const upper: Pt[] = [];
  for (let i = ps.length - 1; i >= 0; i--) {
    const p = ps[i] as Pt;
    while (turnsRight(upper, p)) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Pushes each hull point away from the centroid by `pad` degrees, then closes the ring. */
export function padRing(hull: Pt[], pad: number): Pt[] {
  if (hull.length === 0) return [];
  const cx = hull.reduce((s, p) => s + p[0], 0) / hull.length;
  const cy = hull.reduce((s, p) => s + p[1], 0) / hull.length;
  const out = hull.map(([x, y]): Pt => {
    const dx = x - cx;
    const dy = y - cy;
    const len = Math.hypot(dx, dy) || 1;
    return [x + (dx / len) * pad, y + (dy / len) * pad];
  });
  out.push(out[0] as Pt);
  return out;
}

export interface ZoneOutline {
  zone: ZoneId;
  path: Pt[];
}

/** One padded outline per zone that has nodes. */
export function zoneOutlines(nodes: MeshNode[], pad = 1.2): ZoneOutline[] {
  const byZone = new Map<ZoneId, Pt[]>();
  for (const n of nodes) {
    const list = byZone.get(n.zone) ?? [];
    list.push([n.lon, n.lat]);
    byZone.set(n.zone, list);
  }
  return [...byZone].map(([zone, pts]) => ({ zone, path: padRing(convexHull(pts), pad) }));
}

/** Land polygons from a world-atlas topology (objects.land). */
export function landFeatures(topo: Topology): GeoJSON.FeatureCollection {
  const f = feature(topo, topo.objects.land as GeometryCollection);
  return 'features' in f ? f : { type: 'FeatureCollection', features: [f] };
}

/** US state boundary lines from a us-atlas topology (objects.states), shared edges once. */
export function stateBorders(topo: Topology): GeoJSON.MultiLineString {
  return mesh(topo, topo.objects.states as GeometryCollection, (a, b) => a !== b);
}

function dot3(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * (b[i] as number), 0);
}

/**
 * Points along the great circle from a to b, lifted into an arch whose top is `lift` times the
 * arc's length above the ground (in metres), as [lon, lat, altitude] for a PathLayer.
 */
export function arcPath(a: LatLon, b: LatLon, segments = 24, lift = 0.15): Pt3[] {
  const rad = Math.PI / 180;
  const toVec = (p: LatLon) => {
    const la = p.lat * rad;
    const lo = p.lon * rad;
    return [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)];
  };
  const va = toVec(a);
  const vb = toVec(b);
  const dot = Math.max(-1, Math.min(1, dot3(va, vb)));
  const omega = Math.acos(dot);
  const height = omega * EARTH_RADIUS_M * lift;
  const out: Pt3[] = [];
  for (let i = 0; i <= segments; i++) {
    const t = i / segments;
    const wa = omega < 1e-9 ? 1 - t : Math.sin((1 - t) * omega) / Math.sin(omega);
    const wb = omega < 1e-9 ? t : Math.sin(t * omega) / Math.sin(omega);
    const [x, y, z] = [0, 1, 2].map((k) => wa * (va[k] as number) + wb * (vb[k] as number)) as Pt3;
    const lat = Math.atan2(z, Math.hypot(x, y)) / rad;
    const lon = Math.atan2(y, x) / rad;
    out.push([lon, lat, height * Math.sin(Math.PI * t)]);
  }
  return out;
}
