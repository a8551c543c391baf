// Geometry for the globe that does not depend on deck.gl: node sizes, zone outlines (the convex
// hull of each zone's nodes, padded), and the land and state boundaries decoded from the
// world-atlas and us-atlas TopoJSON packages. Pure.

import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

import type { MeshNode, ZoneId } from '../types';

/** Node radius in metres: a floor so idle nodes stay visible, growing with GPU use. */
export function nodeRadius(gpuUtil: number): number {
  return 18_000 + 52_000 * Math.max(0, Math.min(1, gpuUtil));
}

type Pt = [number, number];

function cross(o: Pt, a: Pt, b: Pt): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (monotone chain), counter-clockwise, without repeating the first point. */
export function convexHull(points: Pt[]): Pt[] {
  const ps = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (ps.length < 3) return ps;
  const lower: Pt[] = [];
  for (const p of ps) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: Pt[] = [];
  for (let i = ps.length - 1; i >= 0; i--) {
    const p = ps[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
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
