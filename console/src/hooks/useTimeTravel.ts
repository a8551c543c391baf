// Wires time travel to the daemon: finds the oldest history for the slider (again every
// minute), and whenever the picked time changes fetches the mesh as it was then through the
// debounced, cancelling PastLoader; going live cancels what is pending.
import { useEffect, useMemo } from 'react';

import { ApiClient, ApiError } from '../lib/api';
import { pastNodes } from '../lib/timetravel/asof';
import { PastLoader } from '../lib/timetravel/loader';
import { oldestHistory } from '../lib/timetravel/range';
import { useConsole } from '../store/store';

/** At most this many fetches a second while the slider moves. */
const FETCH_EVERY_MS = 250;
const RANGE_EVERY_MS = 60_000;
/** While there is no clock or no history yet, look again this soon. */
const RANGE_RETRY_MS = 3000;

function useHistoryRange(api: ApiClient): void {
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const find = async () => {
      const st = useConsole.getState();
      const now = st.mesh.time;
      let found = false;
      if (now > 0) {
        try {
          const oldest = await oldestHistory(api, now);
          found = oldest !== null;
          if (!stopped) st.setHistoryRange(oldest, null);
        } catch (e) {
          /* The daemon refused (no store, say): no range. Away: keep what is known. */
          if (!stopped && e instanceof ApiError) st.setHistoryRange(null, e.message);
          /* A daemon without a store will not grow one: ask again only now and then. */
          found = e instanceof ApiError && e.status === 503;
        }
      }
      const wait = found ? RANGE_EVERY_MS : RANGE_RETRY_MS;
      if (!stopped) timer = window.setTimeout(() => void find(), wait);
    };
    void find();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api]);
}

function usePastLoader(api: ApiClient): void {
  useEffect(() => {
    const loader = new PastLoader(
      {
        load: async (t, signal) => {
          const rows = await api.nodesAt(t, signal);
          return pastNodes(rows, useConsole.getState().mesh.nodes);
        },
        loaded: (t, past) => useConsole.getState().pastLoaded(t, past),
        failed: (t, msg) => useConsole.getState().pastFailed(t, msg),
        setTimer: (fn, ms) => window.setTimeout(fn, ms),
        clearTimer: (h) => window.clearTimeout(h as number),
      },
      FETCH_EVERY_MS,
      () => performance.now(),
    );
    const unsubscribe = useConsole.subscribe((s, prev) => {
      if (s.past.target === prev.past.target) return;
      if (s.past.target === null) loader.cancel();
      else loader.request(s.past.target);
    });
    return () => {
      unsubscribe();
      loader.cancel();
    };
  }, [api]);
}

export function useTimeTravel(token: string): void {
  const api = useMemo(() => new ApiClient(token), [token]);
  useHistoryRange(api);
  usePastLoader(api);
}
