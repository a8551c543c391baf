// The console's one store, in slices: session (token, role), connection, mesh (nodes, flows,
// events from the stream), zones (polled), time travel (the past view), selection and the event
// filter. Zustand with Immer:
// actions sit beside their state, components read narrow selectors. The mesh reducers are the
// pure functions of mesh.ts.

import { enableMapSet, setAutoFreeze } from 'immer';
import { create } from 'zustand';
import { immer } from 'zustand/middleware/immer';

import type { Role } from '../lib/api';
import { NO_FILTER, type EventFilter } from '../lib/events/filter';
import type { ConnectionState } from '../lib/stream/client';
import type { MeshEvent, MeshNode, StreamFrame, ZoneSummary } from '../lib/types';
import { advanceMesh, emptyMesh, mergeEvents, pruneFlows, type MeshState } from './mesh';
import {
  backToLive,
  enterPast,
  livePast,
  pastFailed,
  pastLoaded,
  setHistoryRange,
  type PastView,
} from './timetravel';

/* Frozen drafts would cost a deep walk of 10k nodes on every batch. */
setAutoFreeze(false);
enableMapSet();

export interface ConsoleState {
  token: string | null;
  role: Role | null;
  connection: ConnectionState;
  retryInMs: number | null;
  mesh: MeshState;
  past: PastView;
  zones: ZoneSummary[];
  zonesTime: number;
  selected: string | null;
  hovered: string | null;
  filter: EventFilter;
  /** A line of feedback after an operator action ("w-a-01 drained", "forbidden"). */
  notice: { text: string; error: boolean } | null;

  signIn(token: string, role: Role): void;
  signOut(): void;
  setConnection(s: ConnectionState, retryInMs: number | null): void;
  applyFrames(frames: StreamFrame[], now: number): void;
  tick(now: number): void;
  addEvents(events: MeshEvent[]): void;
  setZones(zones: ZoneSummary[], time: number): void;
  select(id: string | null): void;
  hover(id: string | null): void;
  setFilter(patch: Partial<EventFilter>): void;
  setNotice(text: string, error: boolean): void;
  patchNode(id: string, patch: Partial<MeshState['nodes'][string]>): void;
  travel(t: number): void;
  goLive(): void;
  pastLoaded(t: number, past: { nodes: Record<string, MeshNode>; order: string[] }): void;
  pastFailed(t: number, message: string): void;
  setHistoryRange(oldest: number | null, why: string | null): void;
}

export const useConsole = create<ConsoleState>()(
  immer((set, get) => ({
    token: null,
    role: null,
    connection: 'idle',
    retryInMs: null,
    mesh: emptyMesh(),
    past: livePast(),
    zones: [],
    zonesTime: 0,
    selected: null,
    hovered: null,
    filter: NO_FILTER,
    notice: null,

    signIn: (token, role) =>
      set((s) => {
        s.token = token;
        s.role = role;
      }),
    signOut: () =>
      set((s) => {
        s.token = null;
        s.role = null;
        s.mesh = emptyMesh();
        s.past = livePast();
      }),
    setConnection: (c, retryInMs) =>
      set((s) => {
        s.connection = c;
        s.retryInMs = retryInMs;
      }),
    /* The hot path skips Immer: a frozen, copy-on-write mesh replaces the old one. */
    applyFrames: (frames, now) =>
      set(() => ({ mesh: Object.freeze(advanceMesh(get().mesh, frames, now)) })),
    tick: (now) =>
      set((s) => {
        if (s.mesh.flows.length > 0) pruneFlows(s.mesh, now);
      }),
    addEvents: (events) =>
      set((s) => {
        s.mesh.events = mergeEvents(s.mesh.events, events);
      }),
    setZones: (zones, time) =>
      set((s) => {
        s.zones = zones;
        s.zonesTime = time;
      }),
    select: (id) =>
      set((s) => {
        s.selected = id;
      }),
    hover: (id) =>
      set((s) => {
        s.hovered = id;
      }),
    setFilter: (patch) =>
      set((s) => {
        s.filter = { ...s.filter, ...patch };
      }),
    setNotice: (text, error) =>
      set((s) => {
        s.notice = { text, error };
      }),
    patchNode: (id, patch) =>
      set((s) => {
        const n = s.mesh.nodes[id];
        if (n !== undefined) Object.assign(n, patch);
        s.mesh.version++;
      }),
    /* Past views replace whole objects (pure reducers of timetravel.ts), not drafts. */
    travel: (t) => set(() => ({ past: enterPast(get().past, t) })),
    goLive: () => set(() => ({ past: backToLive(get().past) })),
    pastLoaded: (t, past) => set(() => ({ past: pastLoaded(get().past, t, past) })),
    pastFailed: (t, msg) => set(() => ({ past: pastFailed(get().past, t, msg) })),
    setHistoryRange: (oldest, why) =>
      set(() => ({ past: setHistoryRange(get().past, oldest, why) })),
  })),
);
