// The one WebSocket to /v1/stream: connects, hands each parsed frame on, notices gaps in the
// sequence numbers, and reconnects with backoff, resuming with since=<last seq seen> so the
// daemon replays what was missed (or sends a snapshot when it cannot). Pure TS: the socket,
// timers and randomness are injected, so tests drive it with a fake WebSocket and a fake clock.

import { parseFrame, type StreamFrame } from '../types';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'stopped';

/** The part of the browser WebSocket the client uses. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface StreamDeps {
  makeSocket(url: string): SocketLike;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  random(): number;
}

export interface StreamStats {
  connects: number;
  snapshots: number;
  /** Frames whose seq did not follow the previous one (each forces a resume). */
  gaps: number;
  frames: number;
}

export interface StreamOptions {
  /** ws:// or wss:// URL of /v1/stream, without a query. */
  url: string;
  token: string;
  onFrame(frame: StreamFrame): void;
  onState?(state: ConnectionState, retryInMs: number | null): void;
  backoff?: BackoffOptions;
}

export function browserDeps(): StreamDeps {
  return {
    makeSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (h) => window.clearTimeout(h as number),
    random: Math.random,
  };
}

/** The stream URL for a page served from `location` (http -> ws, https -> wss). */
export function streamUrlFor(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/v1/stream`;
}

export class StreamClient {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private state: ConnectionState = 'idle';
  private seq: number | null = null;
  readonly stats: StreamStats = { connects: 0, snapshots: 0, gaps: 0, frames: 0 };

  constructor(
    private readonly opts: StreamOptions,
    private readonly deps: StreamDeps,
  ) {}

  /** The last sequence number applied, or null before the first frame. */
  get lastSeq(): number | null {
    return this.seq;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The URL of the next connection: token, and since= once a frame was seen. */
  connectUrl(): string {
    const q = new URLSearchParams({ token: this.opts.token });
    if (this.seq !== null) q.set('since', String(this.seq));
    return `${this.opts.url}?${q.toString()}`;
  }

  start(): void {
    if (this.state === 'idle' || this.state === 'stopped') this.connect();
  }

  stop(): void {
    this.setState('stopped', null);
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.dropSocket();
  }

  private connect(): void {
    this.timer = null;
    this.setState('connecting', null);
    const s = this.deps.makeSocket(this.connectUrl());
    this.socket = s;
    s.onopen = () => {
      if (this.socket !== s) return;
      this.stats.connects++;
      this.setState('open', null);
    };
    s.onmessage = (ev) => {
      if (this.socket === s && typeof ev.data === 'string') this.receive(ev.data);
    };
    s.onclose = () => {
      if (this.socket === s) this.lost();
    };
    s.onerror = () => undefined; /* a close always follows */
  }

  private receive(text: string): void {
    const frame = parseFrame(text);
    if (frame === null) return;
    if (frame.type === 'snapshot') {
      this.stats.snapshots++;
    } else if (this.seq !== null && frame.seq !== this.seq + 1) {
      if (frame.seq <= this.seq) return; /* already applied */
      this.stats.gaps++;
      this.resume();
      return;
    }
    this.attempt = 0;
    this.seq = frame.seq;
    this.stats.frames++;
    this.opts.onFrame(frame);
  }

  /** A gap: drop this connection and come back at once from the last seq seen. */
  private resume(): void {
    this.dropSocket();
    this.connect();
  }

  private lost(): void {
    this.socket = null;
    if (this.state === 'stopped') return;
    const wait = backoffDelay(
      this.attempt++,
      this.deps.random,
      this.opts.backoff ?? DEFAULT_BACKOFF,
    );
    this.setState('reconnecting', wait);
    this.timer = this.deps.setTimer(() => this.connect(), wait);
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (s === null) return;
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    s.close();
  }

  private setState(state: ConnectionState, retryInMs: number | null): void {
    this.state = state;
    this.opts.onState?.(state, retryInMs);
  }
}
