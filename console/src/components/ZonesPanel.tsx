// Resource monitoring per zone and for the whole mesh: GPU use, battery, energy mix, carbon,
// requests per second and latency percentiles. Zones come from GET /v1/zones (polled); battery
// from the live nodes.
import { useMemo } from 'react';

import type { EnergySource, ZoneSummary } from '../lib/types';
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

function Row({ z, battery }: { z: ZoneSummary | Totals; battery: number }) {
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
      <td>{z.req_per_s.toFixed(1)}</td>
      <td>
        {latency(z.p50_ms)} / {latency(z.p99_ms)}
      </td>
    </tr>
  );
}

export function ZonesPanel() {
  const zones = useConsole((s) => s.zones);
  const mesh = useConsole((s) => s.mesh);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const battery = useMemo(() => batteryByZone(nodeList(mesh)), [mesh.version]);
  const total = useMemo(() => meshTotals(zones), [zones]);
  return (
    <section className={styles.panel}>
      <h2>Resources</h2>
      <table className={styles.table}>
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
        <tbody>
          {zones.map((z) => (
            <Row key={z.id} z={z} battery={battery[z.id] ?? 0} />
          ))}
          {zones.length > 0 && <Row z={total} battery={battery.all ?? 0} />}
        </tbody>
      </table>
    </section>
  );
}
