/** The sketch's documented bound: any quantile within 1 % of the exact value at that rank. */
import { describe, expect, it } from 'vitest';
import { LatencySketch } from '../../../src/engine/logs/latency-sketch.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('LatencySketch', () => {
  it('stays within its relative error on a skewed distribution spanning six decades', () => {
    const sketch = new LatencySketch(0.01);
    const values: number[] = [];
    // Deterministic log-uniform values from 0.01 ms to 10 s.
    let seed = 42;
    for (let i = 0; i < 20_000; i += 1) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const value = 10 ** (-2 + (6 * seed) / 2147483648);
      values.push(value);
      sketch.add(value);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(values, q);
      expect(Math.abs(sketch.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect(sketch.min).toBe(values[0]);
    expect(sketch.max).toBe(values.at(-1));
  });

  it('p95 of two values is the larger one (nearest rank)', () => {
    const sketch = new LatencySketch();
    sketch.add(10_200);
    sketch.add(15_100);
    expect(sketch.quantile(0.95)).toBe(15_100);
    expect(Math.abs(sketch.quantile(0.5) - 10_200) / 10_200).toBeLessThanOrEqual(0.01);
  });

  it('handles zero durations and an empty sketch', () => {
    const sketch = new LatencySketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    sketch.add(0);
    sketch.add(0);
    sketch.add(5);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(Math.abs(sketch.quantile(1) - 5) / 5).toBeLessThanOrEqual(0.01);
  });

  it('merges like one sketch fed with both inputs', () => {
    const a = new LatencySketch();
    const b = new LatencySketch();
    const both = new LatencySketch();
    for (let i = 1; i <= 1000; i += 1) {
      (i % 2 ? a : b).add(i);
      both.add(i);
    }
    a.merge(b);
    expect([a.count, a.quantile(0.5), a.quantile(0.99)]).toEqual([both.count, both.quantile(0.5), both.quantile(0.99)]);
  });
});
