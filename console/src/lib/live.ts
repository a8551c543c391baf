// Wires the live feed together outside React: one StreamClient whose frames go through a
// FrameBatcher (one store update per animation frame), zone totals polled every few seconds,
// and the recent event history fetched once. Sinks are injected; the hook in hooks/useLive.ts
// connects them to the store.

import type { ApiClient } from './api';
import { FrameBatcher, type Schedule } from './stream/batcher';
import { StreamClient, type ConnectionState, type StreamDeps } from './stream/client';
import type { MeshEvent, StreamFrame, ZoneSummary } from './types';

export interface LiveSinks {
  frames(frames: StreamFrame[]): void;
  state(s: ConnectionState, retryInMs: number | null): void;
  zones(z: ZoneSummary[], time: number): void;
  history(events: MeshEvent[]): void;
}

export interface LiveOptions {
  api: ApiClient;
  streamUrl: string;
  token: string;
  deps: StreamDeps;
  schedule: Schedule;
  zonesEveryMs: number;
}

export class LiveFeed {
  readonly stream: StreamClient;
  private readonly batcher: FrameBatcher;
  private zonesTimer: unknown = null;
  private stopped = false;

  constructor(
    private readonly opts: LiveOptions,
    private readonly sinks: LiveSinks,
  ) {
    this.batcher = new FrameBatcher((fs) => sinks.frames(fs), opts.schedule);
    this.stream = new StreamClient(
      {
        url: opts.streamUrl,
        token: opts.token,
        onFrame: (f) => this.batcher.push(f),
        onState: (s, retry) => sinks.state(s, retry),
      },
      opts.deps,
    );
  }

  start(): void {
    this.stream.start();
    void this.pollZones();
    this.opts.api
      .events({ limit: 1000 })
      .then((evs) => this.sinks.history(evs))
      .catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    this.stream.stop();
    if (this.zonesTimer !== null) this.opts.deps.clearTimer(this.zonesTimer);
  }

  private async pollZones(): Promise<void> {
    try {
      const z = await this.opts.api.zones();
      if (!this.stopped) this.sinks.zones(z.zones, z.time);
    } catch {
      /* the connection badge already says the daemon is away */
    }
    if (!this.stopped) {
      this.zonesTimer = this.opts.deps.setTimer(
        () => void this.pollZones(),
        this.opts.zonesEveryMs,
      );
    }
  }
}
