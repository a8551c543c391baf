// The selected node's last hour from the history store (or, in the past view, the hour up to
// the view's time): GPU use, battery and carbon as sparklines, refreshed every few seconds.
import { useEffect, useState } from 'react';

import { ApiClient } from '../lib/api';
import { sparkline, type NodeHistory as History } from '../lib/history';
import { useConsole } from '../store/store';
import styles from './NodeHistory.module.css';

const REFRESH_MS = 10_000;
const W = 160;
const H = 22;

function Series(props: {
  label: string;
  values: number[];
  unit: string;
  lo?: number;
  hi?: number;
}) {
  const last = props.values[props.values.length - 1];
  return (
    <div className={styles.series}>
      <span className={styles.label}>{props.label}</span>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} className={styles.chart}>
        <path d={sparkline(props.values, W, H, props.lo, props.hi)} />
      </svg>
      <span>{last === undefined ? '-' : `${Math.round(last)}${props.unit}`}</span>
    </div>
  );
}

export function NodeHistory({ id, to }: { id: string; to: number | null }) {
  const token = useConsole((s) => s.token) ?? '';
  const [h, setH] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const api = new ApiClient(token);
    const load = () =>
      api
        .history(id, '1m', to ?? undefined)
        .then((r) => live && (setH(r), setError(null)))
        .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    setH(null);
    void load();
    const t = window.setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      window.clearInterval(t);
    };
  }, [id, token, to]);
  if (error !== null) return <div className={styles.box}>History unavailable: {error}</div>;
  if (h === null) return <div className={styles.box}>Loading history...</div>;
  const b = h.buckets;
  return (
    <div className={styles.box} data-testid="node-history">
      <div className={styles.title}>
        {to === null ? 'Last hour' : 'The hour before'}, {b.length} one-minute buckets
      </div>
      <Series label="GPU" unit="%" lo={0} hi={100} values={b.map((x) => x.gpu_util * 100)} />
      <Series label="Battery" unit="%" lo={0} hi={100} values={b.map((x) => x.battery_soc * 100)} />
      <Series label="gCO2/kWh" unit="" values={b.map((x) => x.carbon_g_per_kwh)} />
    </div>
  );
}
