// Starts the live feed for the signed-in token and feeds the store; exposes the stream's
// counters on window.__arcnet for the end-to-end test and the benchmark.
import { useEffect } from 'react';

import { ApiClient } from '../lib/api';
import { LiveFeed } from '../lib/live';
import { browserDeps, streamUrlFor } from '../lib/stream/client';
import { useConsole } from '../store/store';

declare global {
  interface Window {
    __arcnet?: {
      feed: LiveFeed;
      /** Globe redraws so far. */
      renders: number;
      /** ms from navigation start to the first globe frame with every node and the land. */
      firstFullFrameMs: number | null;
      /** Time spent applying stream batches to the store, and how many batches. */
      applyMs: number;
      batches: number;
      summary(): Record<string, unknown>;
    };
  }
}

export function useLive(token: string): void {
  useEffect(() => {
    const st = useConsole.getState();
    const feed = new LiveFeed(
      {
        api: new ApiClient(token),
        streamUrl: streamUrlFor(window.location),
        token,
        deps: browserDeps(),
        schedule: (fn) => window.requestAnimationFrame(fn),
        zonesEveryMs: 3000,
      },
      {
        frames: (fs) => {
          const t0 = performance.now();
          st.applyFrames(fs, t0);
          const probe = window.__arcnet;
          if (probe) {
            probe.applyMs += performance.now() - t0;
            probe.batches++;
          }
        },
        state: (s, retry) => st.setConnection(s, retry),
        zones: (z, t) => st.setZones(z, t),
        history: (evs) => st.addEvents(evs),
      },
    );
    window.__arcnet = {
      feed,
      renders: 0,
      firstFullFrameMs: null,
      applyMs: 0,
      batches: 0,
      summary: () => {
        const m = useConsole.getState().mesh;
        const s = feed.stream.stats;
        const severities: Record<string, number> = {};
        for (const e of m.events) severities[e.severity] = (severities[e.severity] ?? 0) + 1;
        const base = { nodes: m.order.length, flows: m.flows.length, events: m.events.length };
        return { ...base, severities, ...s };
      },
    };
    feed.start();
    return () => feed.stop();
  }, [token]);
}
