// The selected node in full: GPUs, battery, energy and carbon, models, queue, status, and the
// drain / undrain actions (disabled for a viewer token). History charts come later.
import { findAction } from '../lib/actions';
import type { MeshNode } from '../lib/types';
import { useActionContext } from '../hooks/useActionContext';
import { useConsole } from '../store/store';
import { Meter } from './Meter';
import { NodeHistory } from './NodeHistory';
import styles from './NodePanel.module.css';

function ActionButton(props: { name: string }) {
  const ctx = useActionContext();
  const a = findAction(props.name);
  if (a === undefined) return null;
  const why = ctx.role !== 'operator' ? 'needs an operator token' : `shortcut: ${a.shortcut}`;
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
      <dd>
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

export function NodePanel() {
  const n = useConsole((s) => (s.selected === null ? undefined : s.mesh.nodes[s.selected]));
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
      <Facts n={n} />
      <div className={styles.actions}>
        <ActionButton name="drain" />
        <ActionButton name="undrain" />
      </div>
      <NodeHistory id={n.id} />
    </section>
  );
}
