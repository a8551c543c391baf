// Builds the registered actions' context from the store, for buttons, shortcuts and the
// terminal alike.
import { useMemo } from 'react';

import type { ActionContext } from '../lib/actions';
import { ApiClient } from '../lib/api';
import { nodeList } from '../store/mesh';
import { useConsole } from '../store/store';

/** Focus targets by name; components register their element here. */
export const focusTargets: Partial<Record<'terminal' | 'events' | 'search', HTMLElement | null>> =
  {};

export function actionContext(): ActionContext {
  const s = useConsole.getState();
  const selected = s.selected === null ? null : (s.mesh.nodes[s.selected] ?? null);
  return {
    api: new ApiClient(s.token ?? ''),
    role: s.role,
    selected,
    nodes: nodeList(s.mesh),
    select: s.select,
    patchNode: s.patchNode,
    notify: s.setNotice,
    focus: (p) => focusTargets[p]?.focus(),
  };
}

/** A context that follows the selected node and role, for rendering buttons. */
export function useActionContext(): ActionContext {
  const selected = useConsole((s) => (s.selected === null ? null : s.mesh.nodes[s.selected]));
  const role = useConsole((s) => s.role);
  const drained = selected?.drained;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => actionContext(), [selected?.id, drained, role]);
}
