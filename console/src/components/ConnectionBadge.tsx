// The stream's connection state: live, connecting, or reconnecting with the next try's wait.
import { useConsole } from '../store/store';
import styles from './ConnectionBadge.module.css';

const LABELS = {
  idle: 'not connected',
  connecting: 'connecting',
  open: 'live',
  reconnecting: 'reconnecting',
  stopped: 'stopped',
} as const;

export function ConnectionBadge() {
  const state = useConsole((s) => s.connection);
  const retry = useConsole((s) => s.retryInMs);
  const seq = useConsole((s) => s.mesh.lastSeq);
  const wait =
    state === 'reconnecting' && retry !== null ? ` in ${(retry / 1000).toFixed(1)} s` : '';
  return (
    <span
      className={`${styles.badge} ${styles[state]}`}
      data-testid="connection"
      data-state={state}
      title={seq === null ? 'no frame yet' : `last frame #${seq}`}
    >
      <span className={styles.dot} />
      {LABELS[state]}
      {wait}
    </span>
  );
}
