// Fetches the mesh as of a past time for the slider: requests are debounced (a drag asks for
// at most one fetch per interval, for the latest time), and a new request aborts the fetch
// still running for an older one, so a slow answer for a time the operator has left is never
// shown. Pure TypeScript over injected timers and an injected fetch.

export interface LoaderDeps<T> {
  /** Fetches the view at time t; must stop (reject) when the signal aborts. */
  load(t: number, signal: AbortSignal): Promise<T>;
  loaded(t: number, value: T): void;
  failed(t: number, message: string): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export class PastLoader<T> {
  private timer: unknown = null;
  private running: AbortController | null = null;
  /** The time last asked for: only its answer is delivered. */
  private wanted: number | null = null;
  private lastStart = -Infinity;

  constructor(
    private readonly deps: LoaderDeps<T>,
    private readonly intervalMs: number,
    private readonly clock: () => number,
  ) {}

  /**
   * Asks for the view at t. Starts now if the last fetch started at least one interval ago,
   * otherwise when the interval is up (with the latest time asked for by then).
   */
  request(t: number): void {
    this.wanted = t;
    if (this.timer !== null) return;
    const wait = this.lastStart + this.intervalMs - this.clock();
    if (wait <= 0) {
      this.start();
      return;
    }
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      this.start();
    }, wait);
  }

  /** Forgets what was asked and aborts what is running (back to live). */
  cancel(): void {
    this.wanted = null;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.running?.abort();
    this.running = null;
  }

  private start(): void {
    const t = this.wanted;
    if (t === null) return;
    this.running?.abort();
    const ctl = new AbortController();
    this.running = ctl;
    this.lastStart = this.clock();
    this.deps.load(t, ctl.signal).then(
      (v) => {
        if (this.running === ctl) this.running = null;
        if (!ctl.signal.aborted && this.wanted === t) this.deps.loaded(t, v);
      },
      (e: unknown) => {
        if (this.running === ctl) this.running = null;
        if (ctl.signal.aborted || this.wanted !== t) return;
        this.deps.failed(t, e instanceof Error ? e.message : String(e));
      },
    );
  }
}
