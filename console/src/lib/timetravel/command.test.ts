import { describe, expect, it } from 'vitest';

import type { ActionContext } from '../actions';
import { ApiClient } from '../api';
import { parseTime, runTravelLine } from './command';

function ctx(over: Partial<ActionContext> = {}) {
  const log: string[] = [];
  const c: ActionContext = {
    api: new ApiClient('t', '', () => Promise.reject(new Error('no network'))),
    role: 'operator',
    selected: null,
    nodes: [],
    select: () => undefined,
    patchNode: () => undefined,
    notify: () => undefined,
    focus: () => undefined,
    past: false,
    canTravel: true,
    travel: (t) => log.push(`travel ${t}`),
    goLive: () => log.push('live'),
    ...over,
  };
  return { c, log };
}

const NOW = Date.UTC(2026, 11, 3, 15, 0, 0) * 1000;

describe('parseTime', () => {
  it('reads microseconds and RFC 3339 as the API does', () => {
    expect(parseTime('1796307120000000')).toBe(1796307120000000);
    expect(parseTime('2026-12-03T14:00:00Z')).toBe(Date.UTC(2026, 11, 3, 14) * 1000);
    expect(parseTime('2026-12-03T09:00:00-05:00')).toBe(Date.UTC(2026, 11, 3, 14) * 1000);
  });

  it('refuses anything else', () => {
    expect(parseTime('yesterday')).toBeNull();
    expect(parseTime('2026-12-03')).toBeNull();
    expect(parseTime('-5')).toBeNull();
  });
});

describe('runTravelLine', () => {
  it('travels to a past time', () => {
    const { c, log } = ctx();
    const r = runTravelLine('travel 2026-12-03T14:00:00Z', c, NOW);
    expect(r?.error).toBe(false);
    expect(log).toEqual([`travel ${Date.UTC(2026, 11, 3, 14) * 1000}`]);
  });

  it('refuses a future time, an unreadable one and a missing one', () => {
    const { c, log } = ctx();
    expect(runTravelLine('travel 2026-12-03T16:00:00Z', c, NOW)?.text).toContain('future');
    expect(runTravelLine('travel soon', c, NOW)?.error).toBe(true);
    expect(runTravelLine('travel', c, NOW)?.text).toContain('usage');
    expect(log).toEqual([]);
  });

  it('refuses to travel without history', () => {
    const { c } = ctx({ canTravel: false });
    expect(runTravelLine('travel 1', c, NOW)?.error).toBe(true);
  });

  it('returns to live', () => {
    const { c, log } = ctx({ past: true });
    expect(runTravelLine('live', c, NOW)?.text).toBe('back to live');
    expect(log).toEqual(['live']);
  });

  it('refuses drain and undrain in the past, and leaves them to the API when live', () => {
    expect(runTravelLine('drain w-a-01', ctx({ past: true }).c, NOW)?.error).toBe(true);
    expect(runTravelLine('undrain w-a-01', ctx({ past: true }).c, NOW)?.error).toBe(true);
    expect(runTravelLine('drain w-a-01', ctx().c, NOW)).toBeNull();
    expect(runTravelLine('nodes --zone west', ctx({ past: true }).c, NOW)).toBeNull();
  });
});
