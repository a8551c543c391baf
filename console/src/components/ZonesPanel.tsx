// Resource monitoring per zone and for the whole mesh: GPU use, battery, energy mix, carbon,
// requests per second and latency percentiles. Zones come from GET /v1/zones (polled); battery
// from the live nodes. In the past view every figure is aggregated from the nodes as they were
// (asOfZones); request rates and latency are not in the history and show as "-".
import { useMemo } from 'react';

import { asOfZones, type AsOfZone } from '../lib/timetravel/asof';
import type { EnergySource, MeshNode, ZoneSummary } from '../lib/types';
import { ENERGY_SOURCES } from '../lib/types';
import { batteryByZone, meshTotals, type Totals } from '../lib/zones';
import { nodeList } from '../store/mesh';
import { useConsole } from '../store/store';
import { Meter } from './Meter';
import styles from './ZonesPanel.module.css';

/** "850 ms" or "3.2 s". */
function latency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function MixBar({ mix }: { mix: Record<EnergySource, number> }) {
  return (
    <span
      className={styles.mix}
      title={ENERGY_SOURCES.map((k) => `${k} ${Math.round(mix[k] * 100)}%`).join(', ')}
    >
      {ENERGY_SOURCES.map((k) => (
        <span key={k} style={{ width: `${mix[k] * 100}%`, background: `var(--energy-${k})` }} />
      ))}
    </span>
  );
}

function Rates({ z }: { z: ZoneSummary | Totals | AsOfZone }) {
  if (!('req_per_s' in z)) {
    return (
      <>
        <td title="not in the history">-</td>
        <td title="not in the history">-</td>
      </>
    );
  }
  return (
    <>
      <td>{z.req_per_s.toFixed(1)}</td>
      <td>
        {latency(z.p50_ms)} / {latency(z.p99_ms)}
      </td>
    </>
  );
}

function Row({ z, battery }: { z: ZoneSummary | Totals | AsOfZone; battery: number }) {
  return (
    <tr data-testid={`zone-${z.id}`}>
      <th>{z.id}</th>
      <td>
        {z.nodes_up}/{z.nodes}
      </td>
      <td>
        {Math.round(z.gpu_util * 100)}%<Meter value={z.gpu_util} />
      </td>
      <td>
        {Math.round(battery * 100)}%<Meter value={battery} tone="battery" />
      </td>
      <td>
        <MixBar mix={z.energy_mix} />
      </td>
      <td>{Math.round(z.carbon_g_per_kwh)}</td>
      <Rates z={z} />
    </tr>
  );
}

function Head() {
  return (
    <thead>
      <tr>
        <th>zone</th>
        <th>up</th>
        <th>GPU</th>
        <th>batt</th>
        <th>energy</th>
        <th title="g CO2 per kWh">CO2</th>
        <th>req/s</th>
        <th>p50 / p99</th>
      </tr>
    </thead>
  );
}

function PastRows({ nodes }: { nodes: MeshNode[] }) {
  const zones = useMemo(() => asOfZones(nodes), [nodes]);
  return (
    <tbody data-testid="zones-past">
      {zones.map((z) => (
        <Row key={z.id} z={z} battery={z.battery_soc} />
      ))}
    </tbody>
  );
}

function LiveRows() {
  const zones = useConsole((s) => s.zones);
  const mesh = useConsole((s) => s.mesh);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const battery = useMemo(() => batteryByZone(nodeList(mesh)), [mesh.version]);
  const total = useMemo(() => meshTotals(zones), [zones]);
  return (
    <tbody>
      {zones.map((z) => (
        <Row key={z.id} z={z} battery={battery[z.id] ?? 0} />
      ))}
      {zones.length > 0 && <Row z={total} battery={battery.all ?? 0} />}
    </tbody>
  );
}

export function ZonesPanel() {
  const past = useConsole((s) => (s.past.target !== null ? s.past.mesh : null));
  const nodes = useMemo(() => (past === null ? null : nodeList(past)), [past]);
  return (
    <section className={styles.panel}>
      <h2>Resources{nodes !== null ? ' (as it was)' : ''}</h2>
      <table className={styles.table}>
        <Head />
        {nodes === null ? <LiveRows /> : <PastRows nodes={nodes} />}
      </table>
    </section>
  );
}
