// Builds the registered actions' context from the store, for buttons, shortcuts and the
// terminal alike. In the past view, the selected node and the node list are the past ones.
import { useMemo } from 'react';

import type { ActionContext } from '../lib/actions';
import { ApiClient } from '../lib/api';
import { nodeList } from '../store/mesh';
import { useConsole } from '../store/store';
import { inPast, viewMesh } from '../store/timetravel';

/** Focus targets by name; components register their element here. */
export const focusTargets: Partial<Record<'terminal' | 'events' | 'search', HTMLElement | null>> =
  {};

export function actionContext(): ActionContext {
  const s = useConsole.getState();
  const mesh = viewMesh(s.mesh, s.past);
  const selected = s.selected === null ? null : (mesh.nodes[s.selected] ?? null);
  return {
    api: new ApiClient(s.token ?? ''),
    role: s.role,
    selected,
    nodes: nodeList(mesh),
    select: s.select,
    patchNode: s.patchNode,
    notify: s.setNotice,
    focus: (p) => focusTargets[p]?.focus(),
    past: inPast(s.past),
    canTravel: s.past.oldest !== null,
    travel: s.travel,
    goLive: s.goLive,
  };
}

/** A context that follows the selected node, role and past view, for rendering buttons. */
export function useActionContext(): ActionContext {
  const selected = useConsole((s) =>
    s.selected === null ? null : viewMesh(s.mesh, s.past).nodes[s.selected],
  );
  const role = useConsole((s) => s.role);
  const past = useConsole((s) => s.past.target !== null);
  const canTravel = useConsole((s) => s.past.oldest !== null);
  const drained = selected?.drained;
  return useMemo(
    () => actionContext(),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [selected?.id, drained, role, past, canTravel],
  );
}
