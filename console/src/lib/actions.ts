// Operator commands as registered action objects - name, label, keyboard shortcut, a predicate
// saying whether it applies now, and perform - shared by the node panel's buttons, keyboard
// shortcuts, the terminal and tests, so each command is defined once. Pure: actions act on an
// injected context, not on React or the DOM.

import type { ApiClient, Role } from './api';
import { ApiError } from './api';
import type { MeshNode } from './types';

export interface ActionContext {
  api: ApiClient;
  role: Role | null;
  selected: MeshNode | null;
  nodes: MeshNode[];
  select(id: string | null): void;
  patchNode(id: string, node: Partial<MeshNode>): void;
  notify(text: string, error: boolean): void;
  focus(panel: 'terminal' | 'events' | 'search'): void;
  /** Whether the console shows the past (changes are then disabled). */
  past: boolean;
  /** Whether there is history to travel in. */
  canTravel: boolean;
  /** Shows the mesh as it was at t (the daemon's microseconds). */
  travel(t: number): void;
  /** Returns to the live view. */
  goLive(): void;
}

/** What an action may be given besides the context: the time to travel to. */
export interface ActionArg {
  time?: number;
}

export interface Action {
  name: string;
  label: string;
  /** A single key (no modifier), matched against KeyboardEvent.key. */
  shortcut: string | null;
  /** Whether the action can run now; buttons are disabled when not. */
  predicate(ctx: ActionContext): boolean;
  perform(ctx: ActionContext, arg?: ActionArg): Promise<void> | void;
}

/* Changes need an operator token and the live view: the past cannot be changed. */
const mayChange = (ctx: ActionContext) => ctx.role === 'operator' && !ctx.past;

async function setDrained(ctx: ActionContext, drained: boolean): Promise<void> {
  const n = ctx.selected;
  if (n === null) return;
  try {
    const updated = await ctx.api.setDrained(n.id, drained);
    ctx.patchNode(n.id, updated);
    ctx.notify(`${n.id} ${drained ? 'drained' : 'undrained'}`, false);
  } catch (e) {
    const msg = e instanceof ApiError ? `${e.message} (${e.status})` : String(e);
    ctx.notify(`${n.id}: ${msg}`, true);
  }
}

function step(ctx: ActionContext, by: number): void {
  if (ctx.nodes.length === 0) return;
  const i = ctx.selected === null ? -1 : ctx.nodes.findIndex((n) => n.id === ctx.selected?.id);
  const next = (i + by + ctx.nodes.length) % ctx.nodes.length;
  ctx.select(ctx.nodes[next]?.id ?? null);
}

export const ACTIONS: Action[] = [
  {
    name: 'drain',
    label: 'Drain',
    shortcut: 'd',
    predicate: (ctx) => mayChange(ctx) && ctx.selected !== null && !ctx.selected.drained,
    perform: (ctx) => setDrained(ctx, true),
  },
  {
    name: 'undrain',
    label: 'Undrain',
    shortcut: 'u',
    predicate: (ctx) => mayChange(ctx) && ctx.selected !== null && ctx.selected.drained,
    perform: (ctx) => setDrained(ctx, false),
  },
  {
    name: 'next-node',
    label: 'Next node',
    shortcut: 'j',
    predicate: (ctx) => ctx.nodes.length > 0,
    perform: (ctx) => step(ctx, 1),
  },
  {
    name: 'previous-node',
    label: 'Previous node',
    shortcut: 'k',
    predicate: (ctx) => ctx.nodes.length > 0,
    perform: (ctx) => step(ctx, -1),
  },
  {
    name: 'time-travel',
    label: 'Time travel',
    shortcut: null,
    predicate: (ctx) => ctx.canTravel,
    perform: (ctx, arg) => {
      if (arg?.time !== undefined) ctx.travel(arg.time);
    },
  },
  {
    name: 'back-to-live',
    label: 'Live',
    shortcut: 'Escape',
    predicate: (ctx) => ctx.past,
    perform: (ctx) => ctx.goLive(),
  },
  {
    name: 'deselect',
    label: 'Close node panel',
    shortcut: 'Escape',
    predicate: (ctx) => ctx.selected !== null,
    perform: (ctx) => ctx.select(null),
  },
  {
    name: 'focus-terminal',
    label: 'Focus the terminal',
    shortcut: '`',
    predicate: () => true,
    perform: (ctx) => ctx.focus('terminal'),
  },
  {
    name: 'search-events',
    label: 'Search events',
    shortcut: '/',
    predicate: () => true,
    perform: (ctx) => ctx.focus('search'),
  },
];

export function findAction(name: string): Action | undefined {
  return ACTIONS.find((a) => a.name === name);
}

/** The action a key press triggers, if any applies now. */
export function actionForKey(key: string, ctx: ActionContext): Action | undefined {
  return ACTIONS.find((a) => a.shortcut === key && a.predicate(ctx));
}
