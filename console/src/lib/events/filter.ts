// Event log filtering: by type, zone, minimum severity and a case-insensitive text search over
// the message, node and type. Pure; runs over up to a few hundred thousand events per change.

import type { MeshEvent, Severity } from '../types';
import { SEVERITIES } from '../types';

export interface EventFilter {
  type: string | null;
  zone: string | null;
  /** This severity and worse; null for all. */
  severity: Severity | null;
  text: string;
}

export const NO_FILTER: EventFilter = { type: null, zone: null, severity: null, text: '' };

function severityRank(s: string): number {
  return SEVERITIES.indexOf(s as Severity);
}

/** A predicate for one filter, with the search text lower-cased once. */
export function eventMatcher(f: EventFilter): (e: MeshEvent) => boolean {
  const text = f.text.trim().toLowerCase();
  const minRank = f.severity === null ? -1 : severityRank(f.severity);
  return (e) =>
    (f.type === null || e.type === f.type) &&
    (f.zone === null || e.zone === f.zone) &&
    severityRank(e.severity) >= minRank &&
    (text === '' ||
      e.message.toLowerCase().includes(text) ||
      (e.node ?? '').toLowerCase().includes(text) ||
      e.type.includes(text));
}

/** The events that pass the filter, oldest first. */
export function filterEvents(events: readonly MeshEvent[], f: EventFilter): MeshEvent[] {
  const match = eventMatcher(f);
  const out: MeshEvent[] = [];
  for (const e of events) if (match(e)) out.push(e);
  return out;
}
