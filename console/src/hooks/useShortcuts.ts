// Keyboard shortcuts: a key runs the registered action bound to it, unless typing in a field.
import { useEffect } from 'react';

import { actionForKey } from '../lib/actions';
import { actionContext } from './useActionContext';

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing =
        t !== null && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.isContentEditable);
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      const ctx = actionContext();
      const action = actionForKey(e.key, ctx);
      if (action === undefined) return;
      e.preventDefault();
      void action.perform(ctx);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
