import { describe, expect, it } from 'vitest';
import { nothingToChart } from './charts';

describe('nothingToChart', () => {
  it('is true for no values, all zeros or all missing', () => {
    expect(nothingToChart([])).toBe(true);
    expect(nothingToChart([0, 0, 0])).toBe(true);
    expect(nothingToChart([null, undefined, 0])).toBe(true);
  });
  it('is false as soon as one value is above zero', () => {
    expect(nothingToChart([0, 3, 0])).toBe(false);
    expect(nothingToChart([null, 1])).toBe(false);
  });
});
