// Collects stream frames as they arrive and applies them together once per animation frame, so
// a burst of telemetry for 10k nodes costs one store update and one redraw, not one per frame.
// The scheduler is injected (requestAnimationFrame in the browser, a manual tick in tests).

import type { StreamFrame } from '../types';

export type Schedule = (fn: () => void) => unknown;

export class FrameBatcher {
  private queue: StreamFrame[] = [];
  private scheduled = false;

  constructor(
    private readonly apply: (frames: StreamFrame[]) => void,
    private readonly schedule: Schedule,
  ) {}

  /** Queues a frame; a snapshot makes every frame queued before it moot. */
  push(frame: StreamFrame): void {
    if (frame.type === 'snapshot') this.queue = this.queue.filter((f) => f.type === 'events');
    this.queue.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Applies everything queued, in arrival order, in one call. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.apply(batch);
  }

  get pending(): number {
    return this.queue.length;
  }
}
