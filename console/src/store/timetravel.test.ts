import { describe, expect, it } from 'vitest';

import type { MeshNode, StreamFrame } from '../lib/types';
import { advanceMesh, emptyMesh } from './mesh';
import {
  backToLive,
  enterPast,
  inPast,
  livePast,
  pastFailed,
  pastLoaded,
  setHistoryRange,
  viewMesh,
} from './timetravel';

const node = (id: string, soc: number) => ({ id, battery_soc: soc, status: 'up' }) as MeshNode;
const past = (soc: number) => ({ nodes: { a: node('a', soc) }, order: ['a'] });

function liveMesh(soc: number) {
  const f: StreamFrame = { seq: 1, v: 1, time: 500, type: 'snapshot', nodes: [node('a', soc)] };
  return advanceMesh(emptyMesh(), [f], 0);
}

describe('time travel state', () => {
  it('starts live and shows the live mesh', () => {
    const live = liveMesh(0.9);
    expect(inPast(livePast())).toBe(false);
    expect(viewMesh(live, livePast())).toBe(live);
  });

  it('entering the past keeps showing the current view until the answer comes', () => {
    const live = liveMesh(0.9);
    const p = enterPast(livePast(), 100);
    expect(inPast(p)).toBe(true);
    expect(p.loading).toBe(true);
    expect(viewMesh(live, p)).toBe(live);
  });

  it('shows the past mesh once its answer arrives', () => {
    const p = pastLoaded(enterPast(livePast(), 100), 100, past(0.2));
    const v = viewMesh(liveMesh(0.9), p);
    expect(v.nodes.a?.battery_soc).toBe(0.2);
    expect(v.time).toBe(100);
    expect(p.shownAt).toBe(100);
    expect(p.loading).toBe(false);
  });

  it('ignores an answer for a time the operator has left', () => {
    const p = enterPast(enterPast(livePast(), 100), 200);
    expect(pastLoaded(p, 100, past(0.2))).toBe(p);
    expect(pastFailed(p, 100, 'late')).toBe(p);
    expect(pastFailed(p, 200, 'boom').error).toBe('boom');
  });

  it('live deltas reach the live mesh but not the past view', () => {
    const p = pastLoaded(enterPast(livePast(), 100), 100, past(0.2));
    const delta: StreamFrame = {
      seq: 2,
      v: 1,
      time: 600,
      type: 'telemetry',
      nodes: [{ id: 'a', battery_soc: 0.95 }],
    };
    const live = advanceMesh(liveMesh(0.9), [delta], 0);
    expect(live.nodes.a?.battery_soc).toBe(0.95);
    expect(viewMesh(live, p).nodes.a?.battery_soc).toBe(0.2);
  });

  it('gives each past mesh a version no live mesh has', () => {
    const one = pastLoaded(enterPast(livePast(), 1), 1, past(0.1));
    const two = pastLoaded(enterPast(one, 2), 2, past(0.2));
    expect(one.mesh?.version).toBeLessThan(0);
    expect(two.mesh?.version).not.toBe(one.mesh?.version);
  });

  it('returns to live and shows the live mesh again, keeping the range', () => {
    const ranged = setHistoryRange(livePast(), 50, null);
    const p = backToLive(pastLoaded(enterPast(ranged, 100), 100, past(0.2)));
    const live = liveMesh(0.9);
    expect(inPast(p)).toBe(false);
    expect(viewMesh(live, p)).toBe(live);
    expect(p.oldest).toBe(50);
    expect(p.mesh).toBeNull();
  });

  it('says why there is no range', () => {
    expect(setHistoryRange(livePast(), null, 'no store').unavailable).toBe('no store');
    expect(setHistoryRange(livePast(), 10, null).unavailable).toBeNull();
  });
});
