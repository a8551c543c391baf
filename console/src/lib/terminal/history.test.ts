import { describe, expect, it } from 'vitest';

import { down, emptyHistory, remember, up } from './history';

describe('terminal history', () => {
  it('walks back and forth and returns to the draft', () => {
    let h = remember(remember(emptyHistory(), 'zones'), 'nodes');
    let r = up(h, 'dra');
    expect(r.line).toBe('nodes');
    r = up(r.h, r.line);
    expect(r.line).toBe('zones');
    r = up(r.h, r.line);
    expect(r.line).toBe('zones');
    r = down(r.h, r.line);
    expect(r.line).toBe('nodes');
    r = down(r.h, r.line);
    expect(r.line).toBe('dra');
    h = r.h;
    expect(down(h, 'dra').line).toBe('dra');
  });

  it('skips blank lines and immediate repeats', () => {
    const h = remember(remember(remember(emptyHistory(), 'zones'), 'zones'), '  ');
    expect(h.lines).toEqual(['zones']);
  });
});
