// The time-travel slider: from the oldest history (at most a day back) to the daemon's present.
// Moving it left runs the registered time-travel action; the right end is live. Disabled, with
// the reason in its tooltip, while there is no history to travel in.
import { actionContext } from '../hooks/useActionContext';
import { findAction } from '../lib/actions';
import { formatTime, positionOf, STEPS, timeAt } from '../lib/timetravel/range';
import { useConsole } from '../store/store';
import styles from './TimeSlider.module.css';

function move(position: number, range: { from: number; to: number }): void {
  const t = timeAt(position, range);
  const ctx = actionContext();
  const a = findAction(t === null ? 'back-to-live' : 'time-travel');
  if (a !== undefined && a.predicate(ctx)) void a.perform(ctx, t === null ? {} : { time: t });
}

export function TimeSlider() {
  const now = useConsole((s) => s.mesh.time);
  const oldest = useConsole((s) => s.past.oldest);
  const target = useConsole((s) => s.past.target);
  const why = useConsole((s) => s.past.unavailable);
  const range = { from: oldest ?? now, to: now };
  const title =
    oldest === null
      ? `No time travel: ${why ?? 'no history yet'}`
      : `From ${formatTime(range.from)} to now`;
  return (
    <label className={styles.slider} title={title}>
      Time travel
      <input
        type="range"
        min={0}
        max={STEPS}
        value={target === null ? STEPS : positionOf(target, range)}
        disabled={oldest === null}
        aria-label="Time travel"
        data-testid="time-slider"
        data-from={range.from}
        data-to={range.to}
        onChange={(e) => move(Number(e.target.value), range)}
      />
      <span>{target === null ? 'now' : 'past'}</span>
    </label>
  );
}
