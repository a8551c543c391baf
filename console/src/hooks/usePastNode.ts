// The selected node as the history knew it at the past view's time, from
// GET /v1/nodes/{id}?valid_at=T; a newer node or time aborts the older fetch.
import { useEffect, useState } from 'react';

import { ApiClient } from '../lib/api';
import type { PastNodeRow } from '../lib/types';
import { useConsole } from '../store/store';

export interface PastNodeAnswer {
  id: string;
  at: number;
  row: PastNodeRow | null;
  error: string | null;
}

export function usePastNode(id: string, at: number | null): PastNodeAnswer | null {
  const token = useConsole((s) => s.token) ?? '';
  const [answer, setAnswer] = useState<PastNodeAnswer | null>(null);
  useEffect(() => {
    if (at === null) return;
    const ctl = new AbortController();
    new ApiClient(token).nodeAt(id, at, ctl.signal).then(
      (row) => setAnswer({ id, at, row, error: null }),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setAnswer({ id, at, row: null, error: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => ctl.abort();
  }, [id, at, token]);
  return answer !== null && answer.id === id && answer.at === at ? answer : null;
}
