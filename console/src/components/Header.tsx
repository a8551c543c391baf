// The top bar: title, connection state, node count (of the view: live or past), role, the
// time-travel slider and the past view's banner, the last action's result, sign out.
import { browserAuthEnv, forgetToken } from '../lib/auth';
import { useConsole } from '../store/store';
import { viewMesh } from '../store/timetravel';
import { ConnectionBadge } from './ConnectionBadge';
import styles from './Header.module.css';
import { PastBanner } from './PastBanner';
import { TimeSlider } from './TimeSlider';

export function Header() {
  const role = useConsole((s) => s.role);
  const count = useConsole((s) => viewMesh(s.mesh, s.past).order.length);
  const notice = useConsole((s) => s.notice);
  const signOut = useConsole((s) => s.signOut);
  return (
    <header className={styles.header}>
      <strong className={styles.title}>ArcNet</strong>
      <ConnectionBadge />
      <span className={styles.count}>
        <span data-testid="node-count">{count}</span> nodes
      </span>
      <span className={styles.role} data-testid="role">
        {role === 'operator' ? 'operator' : 'viewer (read only)'}
      </span>
      <TimeSlider />
      <PastBanner />
      {notice !== null && (
        <span className={notice.error ? styles.bad : styles.ok} data-testid="notice">
          {notice.text}
        </span>
      )}
      <button
        className={styles.signOut}
        onClick={() => {
          forgetToken(browserAuthEnv());
          signOut();
        }}
      >
        Sign out
      </button>
    </header>
  );
}
