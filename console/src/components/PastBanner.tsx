// The clear sign that the console shows the past: the time shown and how long ago it was,
// whether its answer is still coming or failed, and the Live button (Escape does the same).
import { actionContext } from '../hooks/useActionContext';
import { findAction } from '../lib/actions';
import { formatAgo, formatTime } from '../lib/timetravel/range';
import { useConsole } from '../store/store';
import styles from './PastBanner.module.css';

function goLive(): void {
  const ctx = actionContext();
  void findAction('back-to-live')?.perform(ctx);
}

export function PastBanner() {
  const target = useConsole((s) => s.past.target);
  const shownAt = useConsole((s) => s.past.shownAt);
  const loading = useConsole((s) => s.past.loading);
  const error = useConsole((s) => s.past.error);
  const now = useConsole((s) => s.mesh.time);
  if (target === null) return null;
  return (
    <span
      className={styles.banner}
      data-testid="past-banner"
      data-target={target}
      data-shown={shownAt ?? ''}
      data-loading={loading}
    >
      Viewing the past: <time>{formatTime(target)}</time>
      <span className={styles.ago}>({formatAgo(target, now)})</span>
      {loading && <span className={styles.ago}>loading...</span>}
      {error !== null && <span className={styles.error}>{error}</span>}
      <button className={styles.live} data-testid="live-button" onClick={goLive} title="Esc">
        Back to live
      </button>
    </span>
  );
}
