/** Totals of logged durations do not depend on how the additions are grouped (one pass or merged ranges). */
import { describe, expect, it } from 'vitest';
import { addShare, addValue, exactTotal, meanRounded, mergeTotal, thousandths, totalRounded, totalValue } from '../../../src/engine/logs/exact-total.js';

/** Deterministic durations as PostgreSQL prints them (3 decimals). */
function durations(n: number): number[] {
  let seed = 7;
  return Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Number(((seed % 5_000_000) / 1000).toFixed(3));
  });
}

describe('ExactTotal', () => {
  it('gives the same total for every split of the additions, where a float sum does not', () => {
    const values = durations(10_000);
    const whole = exactTotal();
    for (const v of values) addShare(whole, thousandths(v), v, 3, 1);
    const floatWhole = values.reduce((s, v) => s + v / 3, 0);
    let floatDiffers = false;
    for (const cut of [1, 17, 5_000, 9_999]) {
      const [a, b] = [exactTotal(), exactTotal()];
      for (const v of values.slice(0, cut)) addShare(a, thousandths(v), v, 3, 1);
      for (const v of values.slice(cut)) addShare(b, thousandths(v), v, 3, 1);
      mergeTotal(a, b);
      expect(a).toEqual(whole);
      const floatSplit = values.slice(0, cut).reduce((s, v) => s + v / 3, 0) + values.slice(cut).reduce((s, v) => s + v / 3, 0);
      if (floatSplit !== floatWhole) floatDiffers = true;
    }
    expect(floatDiffers).toBe(true);
  });

  it('keeps shares of a duration exact and rounds halves up', () => {
    const t = exactTotal();
    addShare(t, thousandths(0.323), 0.323, 2, 1);
    expect(totalValue(t)).toBe(0.1615);
    expect(totalRounded(t)).toBe(0.162);
    addShare(t, thousandths(0.323), 0.323, 2, 1);
    expect(totalRounded(t)).toBe(0.323);
    expect(meanRounded(t, 2)).toBe(0.162);
  });

  it('adds values off the thousandths grid as they are', () => {
    const t = exactTotal();
    addValue(t, 1.5);
    addValue(t, 0.0001);
    expect(totalValue(t)).toBeCloseTo(1.5001, 12);
    expect(thousandths(12.345)).toBe(12_345);
    expect(thousandths(0.0001)).toBeNaN();
  });
});
