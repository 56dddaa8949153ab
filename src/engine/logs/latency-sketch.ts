/**
 * Streaming percentile sketch with a relative error bound (the DDSketch idea): values fall into
 * logarithmic buckets of ratio gamma = (1 + a) / (1 - a); any quantile read back is within a
 * relative error `a` of the exact value at that rank. Memory grows with log(max/min), not with
 * the number of values. Default a = 1 %.
 */
export const DEFAULT_RELATIVE_ERROR = 0.01;

/** Durations below this (ms) are counted as zero: logs print 3 decimals, so 0.000 ms exists. */
const MIN_VALUE = 1e-4;

/** A sketch as plain data (to send it between threads). */
export interface SketchState {
  relativeError: number;
  counts: Float64Array;
  offset: number;
  zeros: number;
  count: number;
  min: number;
  max: number;
}

export class LatencySketch {
  private readonly logGamma: number;
  private readonly gamma: number;
  /** Counts of buckets offset..offset+counts.length-1, grown on demand (no map work per value). */
  private counts: Float64Array = new Float64Array(0);
  private offset = 0;
  private zeros = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly relativeError = DEFAULT_RELATIVE_ERROR) {
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.logGamma = Math.log(this.gamma);
  }

  add(value: number): void {
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < MIN_VALUE) {
      this.zeros += 1;
      return;
    }
    const index = Math.ceil(Math.log(value) / this.logGamma);
    this.bump(index, 1);
  }

  private bump(index: number, n: number): void {
    let slot = index - this.offset;
    if (this.counts.length === 0) {
      this.counts = new Float64Array(64);
      this.offset = index - 32;
      slot = 32;
    } else if (slot < 0 || slot >= this.counts.length) {
      const low = Math.min(this.offset, index - 16);
      const high = Math.max(this.offset + this.counts.length, index + 17);
      const grown = new Float64Array(high - low);
      grown.set(this.counts, this.offset - low);
      this.counts = grown;
      this.offset = low;
      slot = index - low;
    }
    this.counts[slot]! += n;
  }

  /** Value at quantile q (0..1), within the relative error bound; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    // Nearest-rank definition: the smallest value with at least q of the values at or below it.
    const rank = Math.max(0, Math.ceil(q * this.count) - 1);
    if (rank < this.zeros) return Math.max(0, this.min);
    let seen = this.zeros;
    for (let slot = 0; slot < this.counts.length; slot += 1) {
      seen += this.counts[slot]!;
      if (seen > rank) {
        const estimate = (2 * Math.pow(this.gamma, slot + this.offset)) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  toState(): SketchState {
    return { relativeError: this.relativeError, counts: this.counts, offset: this.offset, zeros: this.zeros, count: this.count, min: this.min, max: this.max };
  }

  static fromState(state: SketchState): LatencySketch {
    const sketch = new LatencySketch(state.relativeError);
    sketch.counts = state.counts;
    sketch.offset = state.offset;
    sketch.zeros = state.zeros;
    sketch.count = state.count;
    sketch.min = state.min;
    sketch.max = state.max;
    return sketch;
  }

  /**
   * Adds another sketch of the same relative error (workers' partial results): the counts per
   * bucket add up, so the merged sketch answers exactly what one sketch fed with both would.
   */
  merge(other: LatencySketch): void {
    for (let slot = 0; slot < other.counts.length; slot += 1) if (other.counts[slot]! > 0) this.bump(slot + other.offset, other.counts[slot]!);
    this.zeros += other.zeros;
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }
}
