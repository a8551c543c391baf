import { describe, expect, it } from 'vitest';

import type { StreamFrame } from '../types';
import { backoffDelay } from './backoff';
import { StreamClient, streamUrlFor, type SocketLike, type StreamDeps } from './client';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({});
  }
  send(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(): void {
    this.onclose?.({ code: 1006, reason: '' });
  }
}

function harness(random = 0.5) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const frames: StreamFrame[] = [];
  const states: string[] = [];
  const deps: StreamDeps = {
    makeSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
    random: () => random,
  };
  const client = new StreamClient(
    {
      url: 'ws://h/v1/stream',
      token: 't0k',
      onFrame: (f) => frames.push(f),
      onState: (s) => states.push(s),
    },
    deps,
  );
  return { client, sockets, timers, frames, states };
}

const tele = (seq: number) => ({ seq, v: 1, type: 'telemetry', time: 0, nodes: [] });
const snap = (seq: number) => ({ seq, v: 1, type: 'snapshot', time: 0, nodes: [] });

describe('backoffDelay', () => {
  it('grows exponentially up to the cap', () => {
    const mid = () => 0.5;
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, mid, opts)).toBe(75);
    expect(backoffDelay(1, mid, opts)).toBe(150);
    expect(backoffDelay(3, mid, opts)).toBe(600);
    expect(backoffDelay(10, mid, opts)).toBe(750);
  });

  it('keeps jitter between half and all of the ceiling', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(2, () => 0, opts)).toBe(200);
    expect(backoffDelay(2, () => 0.999999, opts)).toBe(400);
  });
});

describe('StreamClient', () => {
  it('connects first without since and with the token', () => {
    const h = harness();
    h.client.start();
    expect(h.sockets[0]?.url).toBe('ws://h/v1/stream?token=t0k');
  });

  it('reports open once the socket opens', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.open();
    expect(h.client.connectionState).toBe('open');
    expect(h.states).toEqual(['connecting', 'open']);
  });

  it('hands on frames and remembers the last seq', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send(snap(4));
    h.sockets[0]?.send(tele(5));
    expect(h.frames.map((f) => f.seq)).toEqual([4, 5]);
    expect(h.client.lastSeq).toBe(5);
  });

  it('ignores text that is not a frame', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.onmessage?.({ data: 'not json' });
    h.sockets[0]?.send({ hello: 1 });
    expect(h.frames).toHaveLength(0);
  });

  it('reconnects after a close with a backoff wait and resumes from the last seq', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send(snap(10));
    h.sockets[0]?.send(tele(11));
    h.sockets[0]?.drop();
    expect(h.client.connectionState).toBe('reconnecting');
    expect(h.timers).toHaveLength(1);
    h.timers[0]?.fn();
    expect(h.sockets[1]?.url).toBe('ws://h/v1/stream?token=t0k&since=11');
  });

  it('waits longer after each failed attempt', () => {
    const h = harness(0);
    h.client.start();
    h.sockets[0]?.drop();
    h.timers[0]?.fn();
    h.sockets[1]?.drop();
    h.timers[1]?.fn();
    h.sockets[2]?.drop();
    const waits = h.timers.map((t) => t.ms);
    expect(waits[1]).toBeGreaterThan(waits[0] ?? 0);
    expect(waits[2]).toBeGreaterThan(waits[1] ?? 0);
  });

  it('resets the backoff once frames flow again', () => {
    const h = harness(0);
    h.client.start();
    h.sockets[0]?.drop();
    h.timers[0]?.fn();
    h.sockets[1]?.send(snap(1));
    h.sockets[1]?.drop();
    expect(h.timers[1]?.ms).toBe(h.timers[0]?.ms);
  });

  it('treats a seq gap as lost frames and resumes at once from the last seq', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send(snap(1));
    h.sockets[0]?.send(tele(2));
    h.sockets[0]?.send(tele(5));
    expect(h.frames.map((f) => f.seq)).toEqual([1, 2]);
    expect(h.client.stats.gaps).toBe(1);
    expect(h.sockets[0]?.closed).toBe(true);
    expect(h.sockets[1]?.url).toContain('since=2');
  });

  it('drops frames it has already applied', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send(snap(3));
    h.sockets[0]?.send(tele(4));
    h.sockets[0]?.send(tele(4));
    expect(h.frames).toHaveLength(2);
    expect(h.client.stats.gaps).toBe(0);
  });

  it('accepts a snapshot with a lower seq after the daemon restarted', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]?.send(snap(900));
    h.sockets[0]?.drop();
    h.timers[0]?.fn();
    h.sockets[1]?.send(snap(2));
    h.sockets[1]?.send(tele(3));
    expect(h.client.lastSeq).toBe(3);
    expect(h.client.stats.snapshots).toBe(2);
  });

  it('does not reconnect once stopped', () => {
    const h = harness();
    h.client.start();
    h.client.stop();
    expect(h.sockets[0]?.closed).toBe(true);
    expect(h.timers).toHaveLength(0);
    expect(h.client.connectionState).toBe('stopped');
  });
});

describe('streamUrlFor', () => {
  it('uses wss for https pages', () => {
    expect(streamUrlFor({ protocol: 'https:', host: 'a:1' })).toBe('wss://a:1/v1/stream');
    expect(streamUrlFor({ protocol: 'http:', host: 'a:1' })).toBe('ws://a:1/v1/stream');
  });
});
