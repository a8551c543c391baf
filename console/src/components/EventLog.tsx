// The event log: filter by type, zone and severity, search the text, follow live events. The
// list is virtualised, so it stays fast with 100k events.
import { useMemo } from 'react';

import { focusTargets } from '../hooks/useActionContext';
import { filterEvents } from '../lib/events/filter';
import { EVENT_TYPES, SEVERITIES, ZONES, type MeshEvent, type Severity } from '../lib/types';
import { useConsole } from '../store/store';
import styles from './EventLog.module.css';
import { VirtualList } from './VirtualList';

const ROW_HEIGHT = 22;

function time(us: number): string {
  return new Date(us / 1000).toISOString().slice(11, 19);
}

function Row({ e, onNode }: { e: MeshEvent; onNode(id: string): void }) {
  return (
    <div
      className={`${styles.row} ${styles[e.severity]}`}
      style={{ height: ROW_HEIGHT }}
      data-testid="event-row"
    >
      <span className={styles.time}>{time(e.time)}</span>
      <span className={styles.sev}>{e.severity}</span>
      <span className={styles.zone}>{e.zone ?? 'all'}</span>
      <span className={styles.type}>{e.type}</span>
      <span className={styles.msg}>
        {e.node !== null ? (
          <button className={styles.node} onClick={() => onNode(e.node as string)}>
            {e.node}
          </button>
        ) : null}{' '}
        {e.message}
      </span>
    </div>
  );
}

function Select(props: {
  label: string;
  value: string | null;
  options: readonly string[];
  onChange(v: string | null): void;
}) {
  return (
    <select
      aria-label={props.label}
      data-testid={`filter-${props.label}`}
      value={props.value ?? ''}
      onChange={(e) => props.onChange(e.target.value === '' ? null : e.target.value)}
    >
      <option value="">any {props.label}</option>
      {props.options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

export function EventLog() {
  const events = useConsole((s) => s.mesh.events);
  const filter = useConsole((s) => s.filter);
  const setFilter = useConsole((s) => s.setFilter);
  const select = useConsole((s) => s.select);
  const shown = useMemo(() => filterEvents(events, filter), [events, filter]);
  return (
    <div className={styles.log}>
      <div className={styles.bar}>
        <strong>Events</strong>
        <Select
          label="type"
          value={filter.type}
          options={EVENT_TYPES}
          onChange={(type) => setFilter({ type })}
        />
        <Select
          label="zone"
          value={filter.zone}
          options={ZONES}
          onChange={(zone) => setFilter({ zone })}
        />
        <Select
          label="severity"
          value={filter.severity}
          options={SEVERITIES}
          onChange={(v) => setFilter({ severity: v as Severity | null })}
        />
        <input
          ref={(el) => {
            focusTargets.search = el;
          }}
          type="search"
          placeholder="search (/)"
          data-testid="event-search"
          value={filter.text}
          onChange={(e) => setFilter({ text: e.target.value })}
        />
        <span className={styles.count} data-testid="event-count" data-shown={shown.length}>
          {shown.length} of {events.length}
        </span>
      </div>
      <VirtualList
        testId="event-list"
        count={shown.length}
        rowHeight={ROW_HEIGHT}
        renderRow={(i) => {
          const e = shown[i] as MeshEvent;
          return <Row key={`${e.seq}-${i}`} e={e} onNode={select} />;
        }}
      />
    </div>
  );
}
