import { describe, expect, it } from 'vitest';
import { formatRate, yuanToFen } from './orders';

describe('yuanToFen', () => {
  it('converts yuan text to integer fen without floating point', () => {
    expect(yuanToFen('1499.5')).toBe(149950);
    expect(yuanToFen('1,499.50')).toBe(149950);
    expect(yuanToFen('12')).toBe(1200);
    expect(yuanToFen('0.07')).toBe(7);
    expect(yuanToFen(' 3.1 ')).toBe(310);
  });
  it('refuses what is not an amount', () => {
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('-5')).toBeNull();
    expect(yuanToFen('abc')).toBeNull();
    expect(yuanToFen('')).toBeNull();
    expect(yuanToFen(undefined)).toBeNull();
  });
});

describe('formatRate', () => {
  it('shows a share as a percentage with one decimal', () => {
    expect(formatRate(0.15)).toBe('15%');
    expect(formatRate(0.1234)).toBe('12.3%');
    expect(formatRate(0)).toBe('0%');
  });
});
