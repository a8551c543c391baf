// The terminal's console-only time-travel lines: `travel TIME` (RFC 3339 or integer
// microseconds, like the API) shows the mesh as it was, `live` returns; and while the console
// shows the past, `drain` and `undrain` are refused as the buttons are. Pure over the injected
// action context; null for every other line, which the terminal runs as an arcnet command.

import type { ActionContext } from '../actions';
import { findAction } from '../actions';
import { formatTime } from './range';

export interface TravelResult {
  text: string;
  error: boolean;
}

/** A time as the API reads it: integer microseconds, or RFC 3339 (to the millisecond). */
export function parseTime(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms * 1000;
}

function travel(ctx: ActionContext, arg: string | undefined, now: number): TravelResult {
  if (arg === undefined)
    return { text: 'usage: travel TIME (RFC 3339 or microseconds)', error: true };
  const t = parseTime(arg);
  if (t === null) return { text: `travel: cannot read the time "${arg}"`, error: true };
  if (t > now) return { text: `travel: ${formatTime(t)} is in the future`, error: true };
  const a = findAction('time-travel');
  if (a === undefined || !a.predicate(ctx)) {
    return { text: 'travel: the daemon has no history to travel in', error: true };
  }
  void a.perform(ctx, { time: t });
  return { text: `viewing the past: ${formatTime(t)} (live or Esc returns)`, error: false };
}

/** Runs a time-travel line, or returns null when the line is an ordinary command. */
export function runTravelLine(line: string, ctx: ActionContext, now: number): TravelResult | null {
  const [word, arg, extra] = line.trim().split(/\s+/);
  if (word === 'travel' && extra === undefined) return travel(ctx, arg, now);
  if (word === 'live' && arg === undefined) {
    if (!ctx.past) return { text: 'already live', error: false };
    ctx.goLive();
    return { text: 'back to live', error: false };
  }
  if ((word === 'drain' || word === 'undrain') && ctx.past) {
    return { text: `${word}: the past cannot be changed; type live first`, error: true };
  }
  return null;
}
