// The 3D globe: deck.gl's GlobeView over the layers lib/globe/layers.ts builds from the store.
// Hover shows a tooltip; a click selects a node. While flows are fading, a requestAnimationFrame
// loop advances the clock the arcs fade by. In the past view it draws the past mesh (no arcs).
import { _GlobeView as GlobeView, type PickingInfo } from '@deck.gl/core';
import DeckGL from '@deck.gl/react';
import { useEffect, useMemo, useState } from 'react';
import type { Topology } from 'topojson-specification';

import { landFeatures, stateBorders, zoneOutlines } from '../lib/globe/geometry';
import { buildLayers } from '../lib/globe/layers';
import { readPalette } from '../lib/globe/palette';
import type { MeshNode } from '../lib/types';
import { FLOW_LIFETIME_MS, nodeList, type MeshState } from '../store/mesh';
import { useConsole } from '../store/store';
import { viewMesh } from '../store/timetravel';
import styles from './Globe.module.css';
import { nodeTooltip } from './tooltip';

const VIEW = new GlobeView({ id: 'globe', resolution: 5 });
const INITIAL_VIEW = { longitude: -96, latitude: 38, zoom: 2.7 };

interface Boundaries {
  land: GeoJSON.FeatureCollection;
  states: GeoJSON.MultiLineString;
}

function useBoundaries(): Boundaries | null {
  const [b, setB] = useState<Boundaries | null>(null);
  useEffect(() => {
    void Promise.all([
      import('world-atlas/land-110m.json'),
      import('us-atlas/states-10m.json'),
    ]).then(([land, states]) =>
      setB({
        land: landFeatures(land.default as unknown as Topology),
        states: stateBorders(states.default as unknown as Topology),
      }),
    );
  }, []);
  return b;
}

/**
 * The mesh and clock the globe draws, refreshed on animation frames but, after each redraw,
 * not again until twice what that redraw cost has passed. The cost is read from the gap to the
 * next animation frame, which includes the GPU's work: a real GPU redraws at display rate, while
 * a software renderer that blocks the page for 300 ms a frame is asked for a frame only every
 * 600 ms, and the page stays responsive in between.
 */
const MIN_GAP_MS = 16;

function shownMesh(): MeshState {
  const s = useConsole.getState();
  return viewMesh(s.mesh, s.past);
}

function useGlobeFrame(): { mesh: MeshState; now: number } {
  const [frame, setFrame] = useState(() => ({
    mesh: shownMesh(),
    now: performance.now(),
  }));
  useEffect(() => {
    let id = 0;
    let prev = 0;
    let last = 0;
    let cost = 0;
    let measuring = false;
    let shown = shownMesh();
    const loop = (t: number) => {
      if (measuring) cost = t - prev;
      measuring = false;
      prev = t;
      const oldest = useConsole.getState().mesh.flows[0];
      if (oldest !== undefined && performance.now() - oldest.born > FLOW_LIFETIME_MS) {
        useConsole.getState().tick(performance.now());
      }
      const mesh = shownMesh();
      const due = t - last >= Math.max(MIN_GAP_MS, 2 * cost);
      if (due && (mesh !== shown || mesh.flows.length > 0)) {
        last = t;
        shown = mesh;
        measuring = true;
        setFrame({ mesh, now: performance.now() });
      }
      id = window.requestAnimationFrame(loop);
    };
    id = window.requestAnimationFrame(loop);
    return () => window.cancelAnimationFrame(id);
  }, []);
  return frame;
}

export function Globe() {
  const { mesh, now } = useGlobeFrame();
  const selected = useConsole((s) => s.selected);
  const select = useConsole((s) => s.select);
  const bounds = useBoundaries();
  const palette = useMemo(() => {
    const css = getComputedStyle(document.documentElement);
    return readPalette((n) => css.getPropertyValue(n));
  }, []);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const nodes = useMemo(() => nodeList(mesh), [mesh.version, mesh.order]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const zones = useMemo(() => zoneOutlines(nodes), [mesh.order]);
  const layers = buildLayers(
    {
      nodes,
      version: mesh.version,
      flows: mesh.flows,
      transfers: mesh.transfers,
      zones,
      land: bounds?.land ?? null,
      states: bounds?.states ?? null,
      selected,
      now,
    },
    palette,
  );
  return (
    <div className={styles.globe} data-testid="globe">
      <DeckGL
        views={VIEW}
        initialViewState={INITIAL_VIEW}
        controller
        layers={layers}
        getTooltip={(info: PickingInfo<MeshNode>) =>
          info.object ? nodeTooltip(info.object) : null
        }
        onClick={(info: PickingInfo<MeshNode>) => select(info.object?.id ?? null)}
        onAfterRender={() => {
          const probe = window.__arcnet;
          if (probe === undefined) return;
          probe.renders++;
          if (probe.firstFullFrameMs === null && bounds !== null && nodes.length > 0) {
            probe.firstFullFrameMs = performance.now();
          }
        }}
      />
      <Legend />
    </div>
  );
}

function Legend() {
  const items = ['cogen-solar', 'cogen-wind', 'cogen-gas', 'battery', 'grid'];
  return (
    <div className={styles.legend}>
      {items.map((k) => (
        <span key={k}>
          <i style={{ background: `var(--energy-${k})` }} />
          {k}
        </span>
      ))}
      <span>size: GPU use · ring: battery · arcs: inference</span>
    </div>
  );
}
