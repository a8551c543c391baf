import { describe, expect, it } from 'vitest';

import { FrameBatcher } from '../lib/stream/batcher';
import type { MeshNode, StreamFrame } from '../lib/types';
import {
  applyFrame,
  advanceMesh,
  applyFrames,
  emptyMesh,
  flowOpacity,
  FLOW_LIFETIME_MS,
  mergeEvents,
  nodeList,
} from './mesh';

function node(id: string, extra: Partial<MeshNode> = {}): MeshNode {
  return {
    id,
    zone: 'west',
    site: 'Somewhere',
    lat: 40,
    lon: -100,
    gpus_total: 4,
    battery_kwh: 20,
    models: ['m'],
    status: 'up',
    drained: false,
    energy_source: 'grid',
    carbon_g_per_kwh: 400,
    battery_soc: 0.5,
    gpu_util: 0.1,
    gpus_free: 4,
    queue_depth: 0,
    power_kw: 1,
    last_seen: 0,
    ...extra,
  };
}

const head = { v: 1, time: 0 };
const snapshot = (seq: number, nodes: MeshNode[]): StreamFrame => ({
  ...head,
  seq,
  type: 'snapshot',
  nodes,
});

describe('mesh reducers', () => {
  it('replaces every node on a snapshot', () => {
    const m = emptyMesh();
    applyFrame(m, snapshot(1, [node('a'), node('b')]), 0);
    applyFrame(m, snapshot(2, [node('c')]), 0);
    expect(nodeList(m).map((n) => n.id)).toEqual(['c']);
    expect(m.lastSeq).toBe(2);
  });

  it('patches only the fields a telemetry delta carries', () => {
    const m = emptyMesh();
    applyFrame(m, snapshot(1, [node('a')]), 0);
    applyFrame(m, { ...head, seq: 2, type: 'telemetry', nodes: [{ id: 'a', gpu_util: 0.9 }] }, 0);
    expect(m.nodes.a?.gpu_util).toBe(0.9);
    expect(m.nodes.a?.site).toBe('Somewhere');
  });

  it('ignores deltas for nodes it does not know', () => {
    const m = emptyMesh();
    applyFrame(m, { ...head, seq: 1, type: 'telemetry', nodes: [{ id: 'x', gpu_util: 1 }] }, 0);
    expect(m.nodes.x).toBeUndefined();
  });

  it('turns placed decisions into flows to the serving node', () => {
    const m = emptyMesh();
    applyFrame(m, snapshot(1, [node('a', { lat: 10, lon: 20 })]), 0);
    const placed = {
      request: 7,
      model: 'm',
      priority: 'normal',
      outcome: 'placed' as const,
      node: 'a',
      zone: 'west' as const,
      policy: 'arcnet',
      score: 1,
      spilled: false,
    };
    const refused = { ...placed, request: 8, outcome: 'deferred' as const, node: null };
    applyFrame(
      m,
      { ...head, seq: 2, type: 'decisions', decisions: [placed, refused], dropped: 0 },
      5,
    );
    expect(m.flows).toHaveLength(1);
    expect(m.flows[0]?.to).toEqual({ lat: 10, lon: 20 });
    expect(m.flows[0]?.born).toBe(5);
  });

  it('uses the origin a decision carries', () => {
    const m = emptyMesh();
    applyFrame(m, snapshot(1, [node('a')]), 0);
    const d = {
      request: 1,
      model: 'm',
      priority: 'normal',
      outcome: 'placed' as const,
      node: 'a',
      zone: 'west' as const,
      policy: 'arcnet',
      score: 1,
      spilled: false,
      origin: { lat: 1, lon: 2 },
    };
    applyFrame(m, { ...head, seq: 2, type: 'decisions', decisions: [d], dropped: 0 }, 0);
    expect(m.flows[0]?.from).toEqual({ lat: 1, lon: 2 });
  });

  it('fades flows out and drops them after their lifetime', () => {
    const m = emptyMesh();
    m.flows.push({
      id: 1,
      from: { lat: 0, lon: 0 },
      to: { lat: 1, lon: 1 },
      node: 'a',
      model: 'm',
      born: 0,
    });
    expect(flowOpacity(m.flows[0]!, 0)).toBe(1);
    expect(flowOpacity(m.flows[0]!, FLOW_LIFETIME_MS / 2)).toBeCloseTo(0.5);
    applyFrames(m, [], FLOW_LIFETIME_MS + 1);
    expect(m.flows).toHaveLength(0);
  });

  it('appends events in order', () => {
    const m = emptyMesh();
    const ev = (seq: number) => ({
      seq,
      time: 0,
      type: 'node-down',
      severity: 'warning' as const,
      zone: 'east' as const,
      node: null,
      message: 'x',
      coalesced: 0,
    });
    applyFrame(m, { ...head, seq: 1, type: 'events', events: [ev(1), ev(2)], dropped: 0 }, 0);
    expect(m.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(mergeEvents(m.events, [ev(0), ev(2)]).map((e) => e.seq)).toEqual([0, 1, 2]);
  });

  it('draws transfers to Oak Ridge until they finish', () => {
    const m = emptyMesh();
    applyFrame(m, snapshot(1, [node('a')]), 0);
    const t = { id: 't1', node: 'a', bytes: 1, state: 'running' };
    applyFrame(m, { ...head, seq: 2, type: 'transfers', transfers: [t] }, 0);
    expect(m.transfers[0]?.to).toEqual({ lat: 35.93, lon: -84.31 });
    applyFrame(m, { ...head, seq: 3, type: 'transfers', transfers: [{ ...t, state: 'done' }] }, 0);
    expect(m.transfers).toHaveLength(0);
  });
});

describe('FrameBatcher', () => {
  it('applies all frames of one animation frame in a single call', () => {
    const calls: number[][] = [];
    let tick: (() => void) | null = null;
    const b = new FrameBatcher(
      (fs) => calls.push(fs.map((f) => f.seq)),
      (fn) => (tick = fn),
    );
    b.push(snapshot(1, []));
    b.push({ ...head, seq: 2, type: 'telemetry', nodes: [] });
    expect(calls).toHaveLength(0);
    (tick as unknown as () => void)();
    expect(calls).toEqual([[1, 2]]);
  });

  it('forgets deltas queued before a snapshot', () => {
    const calls: number[][] = [];
    const b = new FrameBatcher(
      (fs) => calls.push(fs.map((f) => f.seq)),
      () => undefined,
    );
    b.push({ ...head, seq: 5, type: 'telemetry', nodes: [] });
    b.push(snapshot(2, []));
    b.flush();
    expect(calls).toEqual([[2]]);
  });
});

describe('advanceMesh', () => {
  it('returns a new mesh and leaves the old one as it was', () => {
    const m = emptyMesh();
    applyFrame(m, snapshot(1, [node('a'), node('b')]), 0);
    const b = m.nodes.b;
    const next = advanceMesh(
      m,
      [{ v: 1, time: 0, seq: 2, type: 'telemetry', nodes: [{ id: 'a', gpu_util: 0.7 }] }],
      0,
    );
    expect(m.nodes.a?.gpu_util).toBe(0.1);
    expect(next.nodes.a?.gpu_util).toBe(0.7);
    expect(next.nodes.b).toBe(b);
    expect(next.lastSeq).toBe(2);
  });
});
