// Command history for the terminal: up walks back through earlier lines, down walks forward to
// the line being typed. Pure and immutable: each step returns a new History.

export interface History {
  lines: string[];
  /** Index into lines while browsing; lines.length when editing the new line. */
  pos: number;
  /** What was typed before browsing started. */
  draft: string;
}

export const emptyHistory = (): History => ({ lines: [], pos: 0, draft: '' });

export function remember(h: History, line: string): History {
  const t = line.trim();
  const lines = t === '' || h.lines[h.lines.length - 1] === t ? h.lines : [...h.lines, t];
  return { lines, pos: lines.length, draft: '' };
}

export function up(h: History, current: string): { h: History; line: string } {
  if (h.pos === 0) return { h, line: current };
  const draft = h.pos === h.lines.length ? current : h.draft;
  const pos = h.pos - 1;
  return { h: { ...h, pos, draft }, line: h.lines[pos] ?? '' };
}

export function down(h: History, current: string): { h: History; line: string } {
  if (h.pos >= h.lines.length) return { h, line: current };
  const pos = h.pos + 1;
  return { h: { ...h, pos }, line: pos === h.lines.length ? h.draft : (h.lines[pos] ?? '') };
}
