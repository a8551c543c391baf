import { describe, expect, it } from 'vitest';

import { filterEvents } from './events/filter';
import type { MeshEvent } from './types';
import { atEnd, endScrollTop, visibleRange } from './vlist';

describe('visibleRange', () => {
  it('renders only the rows in view plus overscan', () => {
    const r = visibleRange(1000, 200, 20, 100_000, 2);
    expect(r.start).toBe(48);
    expect(r.end).toBe(50 + 11 + 2);
    expect(r.offset).toBe(48 * 20);
    expect(r.total).toBe(2_000_000);
  });

  it('clamps at the top', () => {
    const r = visibleRange(-50, 200, 20, 100, 5);
    expect(r.start).toBe(0);
    expect(r.offset).toBe(0);
  });

  it('clamps at the end', () => {
    const r = visibleRange(1e9, 200, 20, 100, 5);
    expect(r.end).toBe(100);
    expect(r.start).toBe(90 - 5);
  });

  it('is empty for no rows', () => {
    expect(visibleRange(0, 200, 20, 0)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });

  it('keeps the rendered count small for a huge list', () => {
    const r = visibleRange(123_456, 600, 22, 100_000);
    expect(r.end - r.start).toBeLessThan(50);
  });
});

describe('following the end', () => {
  it('knows when the view is at the end', () => {
    expect(atEnd(800, 200, 1000)).toBe(true);
    expect(atEnd(700, 200, 1000)).toBe(false);
    expect(endScrollTop(200, 1000)).toBe(800);
    expect(endScrollTop(200, 100)).toBe(0);
  });
});

describe('filterEvents', () => {
  const ev = (seq: number, type: string, zone: 'west' | 'east', sev: 'info' | 'critical') =>
    ({
      seq,
      time: 0,
      type,
      severity: sev,
      zone,
      node: `n-${seq}`,
      message: `Message ${seq} Battery`,
      coalesced: 0,
    }) satisfies MeshEvent;
  const all = [
    ev(1, 'node-down', 'west', 'critical'),
    ev(2, 'battery-low', 'east', 'info'),
    ev(3, 'node-down', 'east', 'info'),
  ];
  const none = { type: null, zone: null, severity: null, text: '' };

  it('filters by type, zone and minimum severity', () => {
    expect(filterEvents(all, { ...none, type: 'node-down' }).map((e) => e.seq)).toEqual([1, 3]);
    expect(filterEvents(all, { ...none, zone: 'east' }).map((e) => e.seq)).toEqual([2, 3]);
    expect(filterEvents(all, { ...none, severity: 'critical' }).map((e) => e.seq)).toEqual([1]);
  });

  it('searches text case-insensitively in message and node', () => {
    expect(filterEvents(all, { ...none, text: 'message 2' }).map((e) => e.seq)).toEqual([2]);
    expect(filterEvents(all, { ...none, text: 'N-3' }).map((e) => e.seq)).toEqual([3]);
    expect(filterEvents(all, { ...none, text: 'battery' })).toHaveLength(3);
  });

  it('finds the one matching event among 100k', () => {
    const big: MeshEvent[] = [];
    for (let i = 0; i < 100_000; i++) big.push(ev(i, 'node-down', 'west', 'info'));
    expect(filterEvents(big, { ...none, text: 'message 99999' })).toHaveLength(1);
  });
});
