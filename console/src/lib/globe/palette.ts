// Colours the globe draws with, as RGBA arrays for deck.gl. Defaults here; the page's CSS
// variables (--energy-cogen-solar, --globe-land, ...) override them, so one stylesheet themes
// both the panels and the globe. Pure except readPalette, which reads computed styles.

import type { EnergySource } from '../types';

export type Rgba = [number, number, number, number];

export interface Palette {
  energy: Record<EnergySource, Rgba>;
  land: Rgba;
  ocean: Rgba;
  border: Rgba;
  zone: Rgba;
  flow: Rgba;
  transfer: Rgba;
  selected: Rgba;
  batteryLow: Rgba;
  batteryHigh: Rgba;
  down: Rgba;
}

export const DEFAULT_PALETTE: Palette = {
  energy: {
    'cogen-solar': [250, 204, 21, 255],
    'cogen-wind': [56, 189, 248, 255],
    'cogen-gas': [249, 115, 22, 255],
    battery: [74, 222, 128, 255],
    grid: [148, 163, 184, 255],
  },
  land: [30, 41, 59, 255],
  ocean: [8, 13, 24, 255],
  border: [71, 85, 105, 255],
  zone: [167, 139, 250, 200],
  flow: [244, 114, 182, 255],
  transfer: [45, 212, 191, 255],
  selected: [255, 255, 255, 255],
  batteryLow: [239, 68, 68, 255],
  batteryHigh: [34, 197, 94, 255],
  down: [239, 68, 68, 255],
};

/** Parses "#rgb", "#rrggbb" or "rgb(r, g, b)"; null for anything else. */
export function parseColor(text: string): Rgba | null {
  const s = text.trim();
  let m = /^#([0-9a-f]{6})$/i.exec(s);
  if (m) {
    const v = parseInt(m[1] as string, 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255, 255];
  }
  m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) {
    const [r, g, b] = (m[1] as string).split('').map((c) => parseInt(c + c, 16)) as number[];
    return [r ?? 0, g ?? 0, b ?? 0, 255];
  }
  m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), 255];
  return null;
}

/** The palette with any colour the CSS variables define. */
export function readPalette(get: (name: string) => string): Palette {
  const pick = (name: string, fallback: Rgba): Rgba => parseColor(get(name)) ?? fallback;
  const p = DEFAULT_PALETTE;
  const energy = { ...p.energy };
  for (const k of Object.keys(energy) as EnergySource[])
    energy[k] = pick(`--energy-${k}`, energy[k]);
  return {
    ...p,
    energy,
    land: pick('--globe-land', p.land),
    ocean: pick('--globe-ocean', p.ocean),
    border: pick('--globe-border', p.border),
    zone: pick('--globe-zone', p.zone),
    flow: pick('--globe-flow', p.flow),
    transfer: pick('--globe-transfer', p.transfer),
  };
}

/** Mixes two colours: t = 0 gives a, 1 gives b. */
export function mix(a: Rgba, b: Rgba, t: number): Rgba {
  const u = Math.max(0, Math.min(1, t));
  return a.map((x, i) => Math.round(x + ((b[i] as number) - x) * u)) as Rgba;
}
