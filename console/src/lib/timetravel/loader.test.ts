import { describe, expect, it } from 'vitest';

import { PastLoader } from './loader';

/** A loader over a fake clock and timers, whose fetches resolve only when the test says so. */
function harness(intervalMs = 250) {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const fetches: { t: number; signal: AbortSignal; resolve(v: string): void; fail(): void }[] = [];
  const log: string[] = [];
  const loader = new PastLoader<string>(
    {
      load: (t, signal) =>
        new Promise<string>((resolve, reject) => {
          fetches.push({ t, signal, resolve, fail: () => reject(new Error('boom')) });
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      loaded: (t, v) => log.push(`loaded ${t} ${v}`),
      failed: (t, m) => log.push(`failed ${t} ${m}`),
      setTimer: (fn, ms) => {
        const id = nextId++;
        timers.push({ at: now + ms, fn, id });
        return id;
      },
      clearTimer: (id) => {
        const i = timers.findIndex((x) => x.id === id);
        if (i >= 0) timers.splice(i, 1);
      },
    },
    intervalMs,
    () => now,
  );
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { loader, fetches, log, advance, settle, timers };
}

describe('PastLoader', () => {
  it('fetches the first request at once and delivers its answer', async () => {
    const h = harness();
    h.loader.request(100);
    expect(h.fetches.map((f) => f.t)).toEqual([100]);
    h.fetches[0]!.resolve('a');
    await h.settle();
    expect(h.log).toEqual(['loaded 100 a']);
  });

  it('fetches at most once per interval while the slider moves, for the latest time', () => {
    const h = harness();
    h.loader.request(1);
    for (let t = 2; t <= 10; t++) {
      h.advance(20);
      h.loader.request(t);
    }
    expect(h.fetches.map((f) => f.t)).toEqual([1]);
    h.advance(70);
    expect(h.fetches.map((f) => f.t)).toEqual([1, 10]);
  });

  it('aborts the running fetch when a newer one starts, and never delivers it', async () => {
    const h = harness();
    h.loader.request(1);
    h.advance(10);
    h.loader.request(2);
    h.advance(300);
    expect(h.fetches[0]!.signal.aborted).toBe(true);
    h.fetches[0]!.resolve('stale');
    h.fetches[1]!.resolve('fresh');
    await h.settle();
    expect(h.log).toEqual(['loaded 2 fresh']);
  });

  it('drops an answer for a time no longer wanted even before the next fetch starts', async () => {
    const h = harness();
    h.loader.request(1);
    h.advance(10);
    h.loader.request(2);
    h.fetches[0]!.resolve('old');
    await h.settle();
    expect(h.log).toEqual([]);
  });

  it('reports a failure for the wanted time but not an abort', async () => {
    const h = harness();
    h.loader.request(1);
    h.fetches[0]!.fail();
    await h.settle();
    expect(h.log).toEqual(['failed 1 boom']);
  });

  it('cancel aborts the running fetch and forgets the pending one', async () => {
    const h = harness();
    h.loader.request(1);
    h.advance(10);
    h.loader.request(2);
    h.loader.cancel();
    expect(h.fetches[0]!.signal.aborted).toBe(true);
    expect(h.timers).toEqual([]);
    h.advance(1000);
    await h.settle();
    expect(h.fetches).toHaveLength(1);
    expect(h.log).toEqual([]);
  });
});
