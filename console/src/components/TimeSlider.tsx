// The place of the time-travel slider. Not yet: it needs the history store; until then it is
// shown disabled at "now".
import styles from './TimeSlider.module.css';

export function TimeSlider() {
  return (
    <label className={styles.slider} title="Time travel arrives with the history store">
      Time travel
      <input
        type="range"
        min={0}
        max={100}
        value={100}
        disabled
        readOnly
        aria-label="Time travel"
      />
      <span>now</span>
    </label>
  );
}
