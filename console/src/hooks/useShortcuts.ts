// Keyboard shortcuts: a key runs the registered action bound to it, unless typing in a field
// (a slider or a button is not one: Escape still returns from the past after using the slider).
import { useEffect } from 'react';

import { actionForKey } from '../lib/actions';
import { actionContext } from './useActionContext';

const NOT_TYPED = ['range', 'checkbox', 'radio', 'button', 'submit'];

function typingIn(t: HTMLElement | null): boolean {
  if (t === null) return false;
  if (t instanceof HTMLInputElement) return !NOT_TYPED.includes(t.type);
  return t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable;
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e.target as HTMLElement | null) || e.ctrlKey || e.metaKey || e.altKey) return;
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
