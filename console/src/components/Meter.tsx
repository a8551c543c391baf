// A thin horizontal bar for a 0..1 value.
import styles from './Meter.module.css';

export function Meter(props: { value: number; tone?: 'battery' | 'load' }) {
  const pct = Math.round(Math.max(0, Math.min(1, props.value)) * 100);
  return (
    <span className={styles.meter}>
      <span
        className={props.tone === 'battery' ? styles.battery : styles.load}
        style={{ width: `${pct}%` }}
      />
    </span>
  );
}
