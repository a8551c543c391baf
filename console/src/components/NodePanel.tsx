// The selected node in full: GPUs, battery, energy and carbon, models, queue, status, the
// drain / undrain actions (disabled for a viewer token and in the past) and its history. In the
// past view the figures are the node as the history knew it at the view's time
// (GET /v1/nodes/{id}?valid_at=T), with the time of the report they come from.
import { findAction } from '../lib/actions';
import { pastNode } from '../lib/timetravel/asof';
import { formatTime } from '../lib/timetravel/range';
import type { MeshNode } from '../lib/types';
import { useActionContext } from '../hooks/useActionContext';
import { usePastNode, type PastNodeAnswer } from '../hooks/usePastNode';
import { useConsole } from '../store/store';
import { viewMesh } from '../store/timetravel';
import { Meter } from './Meter';
import { NodeHistory } from './NodeHistory';
import styles from './NodePanel.module.css';

function ActionButton(props: { name: string }) {
  const ctx = useActionContext();
  const a = findAction(props.name);
  if (a === undefined) return null;
  const why =
    ctx.role !== 'operator'
      ? 'needs an operator token'
      : ctx.past
        ? 'the past cannot be changed: back to live first'
        : `shortcut: ${a.shortcut}`;
  return (
    <button
      disabled={!a.predicate(ctx)}
      title={why}
      data-testid={`action-${a.name}`}
      onClick={() => void a.perform(ctx)}
    >
      {a.label}
    </button>
  );
}

function Facts({ n }: { n: MeshNode }) {
  return (
    <dl className={styles.facts}>
      <dt>Status</dt>
      <dd data-testid="node-status">
        {n.status}
        {n.drained ? ' (drained)' : ''}
      </dd>
      <dt>Zone</dt>
      <dd>{n.zone}</dd>
      <dt>GPUs</dt>
      <dd>
        {n.gpus_total - n.gpus_free} of {n.gpus_total} busy
        <Meter value={n.gpu_util} />
      </dd>
      <dt>Battery</dt>
      <dd data-testid="node-battery" data-soc={n.battery_soc}>
        {Math.round(n.battery_soc * 100)}% of {n.battery_kwh} kWh
        <Meter value={n.battery_soc} tone="battery" />
      </dd>
      <dt>Energy</dt>
      <dd>
        <i className={styles.swatch} style={{ background: `var(--energy-${n.energy_source})` }} />
        {n.energy_source}, {n.carbon_g_per_kwh.toFixed(1)} g CO2/kWh
      </dd>
      <dt>Power</dt>
      <dd>{n.power_kw.toFixed(1)} kW</dd>
      <dt>Queue</dt>
      <dd>{n.queue_depth}</dd>
      <dt>Models</dt>
      <dd>{n.models.join(', ')}</dd>
    </dl>
  );
}

function PastNote({ at, answer }: { at: number; answer: PastNodeAnswer | null }) {
  let text = 'loading the node as it was...';
  if (answer?.error != null) text = `not in the history then: ${answer.error}`;
  else if (answer?.row != null) {
    const r = answer.row;
    text = `last report before it: ${formatTime(r.valid_from)} (${r.kind})`;
  }
  return (
    <p className={styles.past} data-testid="node-asof" data-at={answer?.row ? at : ''}>
      As it was at {formatTime(at)}; {text}
    </p>
  );
}

/** The selected node of the view; in the past, completed by its own as-of answer once there. */
function useShownNode(): {
  n: MeshNode | undefined;
  at: number | null;
  answer: PastNodeAnswer | null;
} {
  const id = useConsole((s) => s.selected);
  const at = useConsole((s) => (s.past.target === null ? null : s.past.shownAt));
  const n = useConsole((s) => (id === null ? undefined : viewMesh(s.mesh, s.past).nodes[id]));
  const live = useConsole((s) => (id === null ? undefined : s.mesh.nodes[id]));
  const answer = usePastNode(id ?? '', id === null ? null : at);
  const fromRow = answer?.row != null ? pastNode(answer.row, live) : null;
  return { n: fromRow ?? n, at, answer };
}

export function NodePanel() {
  const { n, at, answer } = useShownNode();
  const select = useConsole((s) => s.select);
  if (n === undefined) {
    return (
      <section className={styles.panel}>
        <p className={styles.muted}>Click a node on the globe (or press j / k) to see it here.</p>
      </section>
    );
  }
  return (
    <section className={styles.panel} data-testid="node-panel" data-node={n.id}>
      <header className={styles.head}>
        <h2>{n.id}</h2>
        <span className={styles.muted}>{n.site}</span>
        <button className={styles.close} onClick={() => select(null)} aria-label="Close">
          ×
        </button>
      </header>
      {at !== null && <PastNote at={at} answer={answer} />}
      <Facts n={n} />
      <div className={styles.actions}>
        <ActionButton name="drain" />
        <ActionButton name="undrain" />
      </div>
      <NodeHistory id={n.id} to={at} />
    </section>
  );
}
