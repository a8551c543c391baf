// A virtualised list of fixed-height rows: only the rows in view (plus a few) are in the DOM,
// so 100k rows scroll as smoothly as 100. While the view sits at the end it follows new rows.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

import { atEnd, endScrollTop, visibleRange } from '../lib/vlist';
import styles from './VirtualList.module.css';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow(index: number): ReactNode;
  testId?: string;
}

export function VirtualList({ count, rowHeight, renderRow, testId }: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(300);
  const following = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null || !following.current) return;
    el.scrollTop = endScrollTop(el.clientHeight, count * rowHeight);
    setScrollTop(el.scrollTop);
  }, [count, rowHeight]);

  const r = visibleRange(scrollTop, height, rowHeight, count);
  const rows: ReactNode[] = [];
  for (let i = r.start; i < r.end; i++) rows.push(renderRow(i));
  return (
    <div
      ref={ref}
      className={styles.viewport}
      data-testid={testId}
      data-rendered={r.end - r.start}
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = atEnd(el.scrollTop, el.clientHeight, count * rowHeight);
        setScrollTop(el.scrollTop);
      }}
    >
      <div style={{ height: r.total, position: 'relative' }}>
        <div style={{ position: 'absolute', top: r.offset, left: 0, right: 0 }}>{rows}</div>
      </div>
    </div>
  );
}
