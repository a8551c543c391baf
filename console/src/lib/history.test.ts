import { describe, expect, it } from 'vitest';

import { sparkline } from './history';

describe('sparkline', () => {
  it('draws values left to right, high values near the top', () => {
    expect(sparkline([0, 1], 100, 10)).toBe('M0.0 10.0 L100.0 0.0');
  });

  it('scales to a given range', () => {
    expect(sparkline([0.5], 100, 10, 0, 1)).toBe('M0.0 5.0');
  });

  it('puts a flat series in the middle and draws nothing for no values', () => {
    expect(sparkline([3, 3], 10, 10)).toBe('M0.0 5.0 L10.0 5.0');
    expect(sparkline([], 10, 10)).toBe('');
  });
});
