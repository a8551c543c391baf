import { describe, expect, it } from 'vitest';

import { ApiClient, type FetchLike } from '../api';
import {
  formatAgo,
  formatTime,
  HOUR_US,
  MINUTE_US,
  oldestHistory,
  positionOf,
  STEPS,
  timeAt,
} from './range';

describe('slider positions', () => {
  const r = { from: 1000, to: 2000 };

  it('maps the ends and the middle both ways', () => {
    expect(positionOf(1000, r)).toBe(0);
    expect(positionOf(1500, r)).toBe(STEPS / 2);
    expect(timeAt(0, r)).toBe(1000);
    expect(timeAt(STEPS / 2, r)).toBe(1500);
  });

  it('treats the right end as live', () => {
    expect(timeAt(STEPS, r)).toBeNull();
    expect(positionOf(5000, r)).toBe(STEPS);
  });

  it('keeps times before the range at the left end', () => {
    expect(positionOf(0, r)).toBe(0);
    expect(timeAt(-5, r)).toBe(1000);
  });

  it('has no past in an empty range', () => {
    expect(timeAt(10, { from: 5, to: 5 })).toBeNull();
  });
});

describe('oldestHistory', () => {
  const now = 100 * HOUR_US;

  function api(hourly: number[], minutely: number[]) {
    const urls: string[] = [];
    const f: FetchLike = (url) => {
      urls.push(url);
      const times = url.includes('step=1h') ? hourly : minutely;
      const body = { buckets: times.map((time) => ({ time, samples: 1, nodes_up: 1 })) };
      return Promise.resolve(new Response(JSON.stringify(body)));
    };
    return { client: new ApiClient('t', '', f), urls };
  }

  it('finds the first minute in the first hour with rows, plus a minute', async () => {
    const a = api([90 * HOUR_US, 91 * HOUR_US], [90 * HOUR_US + 7 * MINUTE_US]);
    expect(await oldestHistory(a.client, now)).toBe(90 * HOUR_US + 8 * MINUTE_US);
    expect(a.urls[0]).toContain(`from=${now - 24 * HOUR_US}`);
    expect(a.urls[1]).toContain(`from=${90 * HOUR_US}`);
  });

  it('is null without history', async () => {
    expect(await oldestHistory(api([], []).client, now)).toBeNull();
  });

  it('never lies after now', async () => {
    const a = api([now - MINUTE_US / 2], [now - MINUTE_US / 2]);
    expect(await oldestHistory(a.client, now)).toBe(now);
  });
});

describe('formatting', () => {
  it('writes a time in UTC to the second', () => {
    expect(formatTime(Date.UTC(2026, 11, 3, 14, 12, 5) * 1000)).toBe('2026-12-03 14:12:05 UTC');
  });

  it('says how long ago', () => {
    expect(formatAgo(0, 45_000_000)).toBe('45 s ago');
    expect(formatAgo(0, 5 * MINUTE_US)).toBe('5 min ago');
    expect(formatAgo(0, 3 * HOUR_US + 20 * MINUTE_US)).toBe('3 h 20 min ago');
  });
});
