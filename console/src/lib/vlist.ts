// The arithmetic of a virtualised list with fixed-height rows: which rows a viewport shows,
// how far to offset them, and whether the view is following the end. Pure, so a list of 100k
// rows renders only the few dozen visible ones and the maths is unit-tested.

export interface VisibleRange {
  /** First row index to render (inclusive). */
  start: number;
  /** One past the last row index to render. */
  end: number;
  /** Pixels from the top of the scroll content to the first rendered row. */
  offset: number;
  /** Height of the whole scroll content. */
  total: number;
}

/** Rows to render for a viewport, with `overscan` extra rows on each side. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 5,
): VisibleRange {
  const total = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total: 0 };
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, total - viewportHeight)));
  const first = Math.floor(top / rowHeight);
  const shown = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** True when the viewport is at (or within `slack` px of) the end: new rows keep it there. */
export function atEnd(
  scrollTop: number,
  viewportHeight: number,
  total: number,
  slack = 4,
): boolean {
  return scrollTop + viewportHeight >= total - slack;
}

/** The scrollTop that shows the last row at the bottom. */
export function endScrollTop(viewportHeight: number, total: number): number {
  return Math.max(0, total - viewportHeight);
}
