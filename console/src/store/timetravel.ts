// Time travel's state and its pure reducers: the time the operator picked, the mesh as it was
// then once fetched, and the slider's oldest time. Live frames keep going to the live mesh;
// the view the panels draw is the past mesh while a time is picked, and the live one
// otherwise, so a live delta never overwrites the past view.

import type { MeshNode } from '../lib/types';
import { emptyMesh, type MeshState } from './mesh';

export interface PastView {
  /** The picked time (the daemon's microseconds), or null when the console is live. */
  target: number | null;
  /** The time `mesh` shows; null until the first answer for a picked time. */
  shownAt: number | null;
  /** The mesh as it was at `shownAt`. */
  mesh: MeshState | null;
  loading: boolean;
  error: string | null;
  /** Past meshes loaded so far; their versions count down from -1, apart from live ones. */
  loads: number;
  /** The oldest time with history, or null while unknown. */
  oldest: number | null;
  /** Why there is no history to travel in (no store, no rows yet), or null. */
  unavailable: string | null;
}

export function livePast(): PastView {
  return {
    target: null,
    shownAt: null,
    mesh: null,
    loading: false,
    error: null,
    loads: 0,
    oldest: null,
    unavailable: 'looking for the oldest history',
  };
}

/** The operator picked time t: keep showing what is shown until t's answer arrives. */
export function enterPast(p: PastView, t: number): PastView {
  return { ...p, target: t, loading: true, error: null };
}

/** The answer for time t; ignored unless t is still the picked time. */
export function pastLoaded(
  p: PastView,
  t: number,
  past: { nodes: Record<string, MeshNode>; order: string[] },
): PastView {
  if (p.target !== t) return p;
  const loads = p.loads + 1;
  const mesh: MeshState = { ...emptyMesh(), ...past, version: -loads, time: t };
  return { ...p, shownAt: t, mesh, loading: false, error: null, loads };
}

/** The fetch for time t failed; ignored unless t is still the picked time. */
export function pastFailed(p: PastView, t: number, message: string): PastView {
  return p.target === t ? { ...p, loading: false, error: message } : p;
}

/** Back to live: forget the picked time and the past mesh; keep what is known of the range. */
export function backToLive(p: PastView): PastView {
  return { ...livePast(), oldest: p.oldest, unavailable: p.unavailable, loads: p.loads };
}

/** The slider's range became known (oldest time) or unavailable (why). */
export function setHistoryRange(p: PastView, oldest: number | null, why: string | null): PastView {
  return { ...p, oldest, unavailable: oldest === null ? (why ?? 'no history yet') : null };
}

/** Whether the console shows the past. */
export const inPast = (p: PastView) => p.target !== null;

/** The mesh the globe and panels draw: the past one while a time is picked, else the live one. */
export function viewMesh(live: MeshState, p: PastView): MeshState {
  return p.target !== null && p.mesh !== null ? p.mesh : live;
}
