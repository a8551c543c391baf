// Text formatting for terminal answers: fixed-width tables and key/value blocks, as the
// `arcnet` program prints them. Pure.

/** Left-aligned columns, numbers right-aligned, two spaces between columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return cells.map(line).join('\n');
}

export function keyValues(pairs: [string, string | number | boolean | null][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => `${`${k}:`.padEnd(w + 1)} ${v === null ? '-' : String(v)}`)
    .join('\n');
}

export const pct = (x: number) => `${Math.round(x * 100)}%`;
export const fixed = (x: number, d = 1) => x.toFixed(d);
