// The signed-in console: header, globe, node and zone panels, event log and terminal, plus the
// keyboard shortcuts of the registered actions. While it shows the past, the globe and the side
// panels are framed in the past colour.
import { useLive } from '../hooks/useLive';
import { useShortcuts } from '../hooks/useShortcuts';
import { useTimeTravel } from '../hooks/useTimeTravel';
import { useConsole } from '../store/store';
import styles from './ConsoleView.module.css';
import { EventLog } from './EventLog';
import { Globe } from './Globe';
import { Header } from './Header';
import { NodePanel } from './NodePanel';
import { Terminal } from './Terminal';
import { ZonesPanel } from './ZonesPanel';

export function ConsoleView() {
  const token = useConsole((s) => s.token) ?? '';
  useLive(token);
  useTimeTravel(token);
  useShortcuts();
  const past = useConsole((s) => s.past.target !== null);
  return (
    <div className={`${styles.layout} ${past ? styles.past : ''}`} data-past={past}>
      <Header />
      <main className={styles.globe}>
        <Globe />
      </main>
      <aside className={styles.side}>
        <ZonesPanel />
        <NodePanel />
      </aside>
      <section className={styles.events}>
        <EventLog />
      </section>
      <section className={styles.terminal}>
        <Terminal />
      </section>
    </div>
  );
}
