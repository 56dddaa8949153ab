/**
 * Totals of logged figures (durations in ms, checkpoint and vacuum times in s) that do not depend
 * on the order of the additions. PostgreSQL prints these with at most 3 decimals, so each one is
 * a whole number of thousandths and their sum is kept as an integer: the total of a log is the
 * same whether it is added up line by line or merged from the partial totals of worker threads
 * (a float sum differs in its last bits with the grouping, and so would tie-breaks and output).
 */

/** Shares of a duration split among n statements (n <= 16, and multiples) stay exact in 1/720720. */
const PARTS = 720_720;

export interface ExactTotal {
  /** Whole thousandths of the unit (µs when the unit is ms). */
  units: number;
  /** Fractions of a thousandth, in 1/720720, from shares (always < 720720). */
  parts: number;
  /** What is off the thousandths grid (not PostgreSQL's format): a float remainder, in the unit. */
  rest: number;
}

export function exactTotal(): ExactTotal {
  return { units: 0, parts: 0, rest: 0 };
}

/** Thousandths of `value` when it has at most 3 decimals, else NaN. */
export function thousandths(value: number): number {
  const scaled = value * 1000;
  const units = Math.round(scaled);
  // value * 1000 is off by at most a few ulps from the whole number it stands for.
  return Math.abs(scaled - units) <= Math.max(1e-7, Math.abs(scaled) * 1e-15) ? units : NaN;
}

/** Adds `value` (in the unit). */
export function addValue(total: ExactTotal, value: number): void {
  const units = thousandths(value);
  if (Number.isNaN(units)) total.rest += value;
  else total.units += units;
}

/**
 * Adds `units` thousandths divided by `n` (a duration shared among the n statements of one
 * line), times `weight`. `units` is NaN when the duration was off the grid: `value` is used.
 */
export function addShare(total: ExactTotal, units: number, value: number, n: number, weight: number): void {
  if (Number.isNaN(units)) {
    total.rest += (value / n) * weight;
    return;
  }
  if (n === 1) {
    total.units += units * weight;
    return;
  }
  const whole = Math.floor(units / n);
  const remainder = units - whole * n;
  total.units += whole * weight;
  if (remainder === 0) return;
  if (PARTS % n !== 0) {
    total.rest += ((remainder / n) * weight) / 1000;
    return;
  }
  let parts = total.parts + remainder * (PARTS / n) * weight;
  if (parts >= PARTS) {
    const carry = Math.floor(parts / PARTS);
    total.units += carry;
    parts -= carry * PARTS;
  }
  total.parts = parts;
}

export function mergeTotal(into: ExactTotal, other: ExactTotal): void {
  into.units += other.units;
  into.rest += other.rest;
  let parts = into.parts + other.parts;
  if (parts >= PARTS) {
    into.units += 1;
    parts -= PARTS;
  }
  into.parts = parts;
}

/** The total in the unit, as the double nearest to the exact value when it can be computed exactly. */
export function totalValue(total: ExactTotal): number {
  let exact: number;
  if (total.parts === 0) exact = total.units / 1000;
  else {
    const scaled = total.units * PARTS + total.parts;
    exact = Number.isSafeInteger(scaled) ? scaled / (1000 * PARTS) : (total.units + total.parts / PARTS) / 1000;
  }
  return total.rest === 0 ? exact : exact + total.rest;
}

/** The total rounded to 3 decimals (half up, from the exact value). */
export function totalRounded(total: ExactTotal): number {
  if (total.rest === 0) return (total.units + Math.round(total.parts / PARTS)) / 1000;
  return Math.round(totalValue(total) * 1000) / 1000;
}

/** total / n rounded to 3 decimals (half up, from the exact value). */
export function meanRounded(total: ExactTotal, n: number): number {
  if (total.rest === 0 && total.parts === 0) return Math.round(total.units / n) / 1000;
  return Math.round((totalValue(total) / n) * 1000) / 1000;
}
