/** Log timestamps: the per-minute cache must never carry a minute or zone over to another line. */
import { describe, expect, it } from 'vitest';
import { parseLogTimestamp } from '../../../src/engine/logs/timestamp.js';

describe('parseLogTimestamp', () => {
  it('reads each text on its own, whatever was parsed before it', () => {
    const texts = [
      '2024-03-01 10:15:30.123 UTC',
      '2024-03-01 10:15:31.500 UTC',
      '2024-03-01 10:15:31.500 CET',
      '2024-03-01 10:15:31.500',
      '2024-03-01 10:15:31.500 UTC',
      '2024-03-01 10:16:00 UTC',
      '2024-03-01 10:15:59+02:00',
      '2024-03-01 10:15:59 +02:00',
      '2024-03-02 10:15:59 UTC',
      '2025-03-01 10:15:59.9 UTC',
    ];
    const expected = [
      Date.UTC(2024, 2, 1, 10, 15, 30, 123),
      Date.UTC(2024, 2, 1, 10, 15, 31, 500),
      Date.UTC(2024, 2, 1, 9, 15, 31, 500),
      Date.UTC(2024, 2, 1, 10, 15, 31, 500),
      Date.UTC(2024, 2, 1, 10, 15, 31, 500),
      Date.UTC(2024, 2, 1, 10, 16, 0),
      Date.UTC(2024, 2, 1, 8, 15, 59),
      Date.UTC(2024, 2, 1, 8, 15, 59),
      Date.UTC(2024, 2, 2, 10, 15, 59),
      Date.UTC(2025, 2, 1, 10, 15, 59, 900),
    ];
    // Forwards, backwards and interleaved: every order gives the same values.
    expect(texts.map((t) => parseLogTimestamp(t))).toEqual(expected);
    expect([...texts].reverse().map((t) => parseLogTimestamp(t))).toEqual([...expected].reverse());
    expect(texts.flatMap((t, i) => [parseLogTimestamp(t), parseLogTimestamp(texts[(i + 3) % texts.length]!)])).toEqual(expected.flatMap((e, i) => [e, expected[(i + 3) % texts.length]]));
  });
});
