// The slider's span of time: from the oldest history the daemon holds (at most a day back) up
// to the daemon's present, the mapping between slider positions and times, and how a past time
// is written. Times are the daemon's simulated microseconds. Pure, apart from oldestHistory,
// which asks an injected API.

import type { ApiClient } from '../api';

export const MINUTE_US = 60_000_000;
export const HOUR_US = 60 * MINUTE_US;
/** How far back the slider reaches at most. */
export const SPAN_US = 24 * HOUR_US;
/** Slider positions from the oldest time (0) to the present (STEPS). */
export const STEPS = 1000;

export interface TimeRange {
  from: number;
  to: number;
}

/** The slider position of time t within the range. */
export function positionOf(t: number, r: TimeRange): number {
  if (r.to <= r.from) return STEPS;
  const p = Math.round(((t - r.from) / (r.to - r.from)) * STEPS);
  return Math.max(0, Math.min(STEPS, p));
}

/** The time at a slider position; null at the right end, which is the present (live). */
export function timeAt(position: number, r: TimeRange): number | null {
  if (position >= STEPS || r.to <= r.from) return null;
  const p = Math.max(0, position);
  return Math.round(r.from + ((r.to - r.from) * p) / STEPS);
}

/**
 * The oldest valid time with history, no earlier than a day before `now`: the first hour with
 * zone rows, then the first minute in that hour; one minute later still, so that the nodes'
 * first rows (written with the first zone rows) are in. Null when there is no history yet.
 */
export async function oldestHistory(api: ApiClient, now: number): Promise<number | null> {
  const from = now - SPAN_US;
  const hours = await api.zoneHistory('west', from, now, '1h');
  const hour = hours.buckets[0];
  if (hour === undefined) return null;
  const minutes = await api.zoneHistory(
    'west',
    hour.time,
    Math.min(now, hour.time + HOUR_US),
    '1m',
  );
  const first = minutes.buckets[0]?.time ?? hour.time;
  return Math.min(now, first + MINUTE_US);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-03 14:12:05 UTC" for a time in microseconds. */
export function formatTime(us: number): string {
  const d = new Date(us / 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date} ${time} UTC`;
}

/** "3 h 20 min ago", "45 s ago": how far `us` lies behind `now`. */
export function formatAgo(us: number, now: number): string {
  const s = Math.max(0, Math.round((now - us) / 1_000_000));
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  return `${Math.floor(min / 60)} h ${min % 60} min ago`;
}
