import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, ManualClock, parseIsoDuration } from '../../src/core/clock.js';

describe('units', () => {
  it('are exact multiples', () => {
    expect(MINUTE_MS).toBe(60_000);
    expect(HOUR_MS).toBe(3_600_000);
    expect(DAY_MS).toBe(86_400_000);
  });
});

describe('ManualClock', () => {
  it('returns its instant until moved', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
  });

  it('R-DEL-2 advances across a 60-day cooling-off instantly', () => {
    const start = Date.UTC(2026, 8, 30, 2);
    const clock = new ManualClock(start);
    expect(clock.advance(parseIsoDuration('P60D'))).toBe(start + 60 * DAY_MS);
    expect(clock.now()).toBe(start + 60 * DAY_MS);
  });

  it('set jumps anywhere, backwards included', () => {
    const clock = new ManualClock(5_000);
    clock.set(10);
    expect(clock.now()).toBe(10);
  });

  it('refuses a negative advance and non-finite instants', () => {
    const clock = new ManualClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new ManualClock(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(0);
  });
});

describe('parseIsoDuration', () => {
  it.each([
    ['P60D', 60 * DAY_MS],
    ['P90D', 90 * DAY_MS],
    ['PT2H', 2 * HOUR_MS],
    ['PT72H', 72 * HOUR_MS],
    ['P1DT30M', DAY_MS + 30 * MINUTE_MS],
    ['PT90S', 90_000],
    ['P2W', 14 * DAY_MS],
    ['P1DT2H3M4S', DAY_MS + 2 * HOUR_MS + 3 * MINUTE_MS + 4_000],
    ['PT0S', 0],
    ['PT1.5H', 90 * MINUTE_MS],
    ['PT0,25S', 250],
    ['P0.5D', 12 * HOUR_MS],
  ])('%s = %i ms', (input, ms) => {
    expect(parseIsoDuration(input)).toBe(ms);
  });

  it.each(['P1Y', 'P1M', 'P1Y2M3D', 'P2M10D'])(
    '%s is refused: years and months have no fixed length',
    (input) => {
      expect(() => parseIsoDuration(input)).toThrow(RangeError);
      expect(() => parseIsoDuration(input)).toThrow(/years and months/);
      expect(() => parseIsoDuration(input)).toThrow(input);
    },
  );

  it.each([
    '',
    'P',
    'PT',
    'P1DT',
    '60D',
    'p60d',
    ' P60D',
    'P60D ',
    'P-1D',
    'PT1H2D',
    'P1W2D',
    'PT1.5H30M',
    'P1.D',
    'PT1M1M',
    'sixty days',
    'P1e3D',
  ])('%j is refused with a message naming it', (input) => {
    expect(() => parseIsoDuration(input)).toThrow(RangeError);
    expect(() => parseIsoDuration(input)).toThrow(`"${input}"`);
  });

  it('refuses a duration too large to be exact', () => {
    expect(() => parseIsoDuration('P99999999999999D')).toThrow(/too large/);
  });
});
