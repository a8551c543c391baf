// A node's recent history from GET /v1/nodes/{id}/history (bucketed by the daemon's history
// store), and the SVG path of a sparkline for one series. Pure.

export interface HistoryBucket {
  time: number;
  samples: number;
  status: string;
  energy_source: string;
  gpus_free_min: number;
  gpu_util: number;
  battery_soc: number;
  power_kw: number;
  carbon_g_per_kwh: number;
}

export interface NodeHistory {
  node: string;
  from: number;
  to: number;
  step: number;
  buckets: HistoryBucket[];
}

/**
 * The path ("M x y L x y ...") of values drawn left to right across width x height, scaled
 * between lo and hi (by default the values' own range; a flat series sits in the middle).
 */
export function sparkline(
  values: number[],
  width: number,
  height: number,
  lo = Math.min(...values),
  hi = Math.max(...values),
): string {
  if (values.length === 0) return '';
  const span = hi - lo;
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => (span > 0 ? height - ((v - lo) / span) * height : height / 2);
  return values
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * dx).toFixed(1)} ${y(v).toFixed(1)}`)
    .join(' ');
}
