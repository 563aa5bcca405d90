/**
 * Time for the pure core. A decision is a pure function of (facts, policy, time) (SPEC §4), so the
 * core never reads the system clock: every "now" arrives as epoch milliseconds from a {@link Clock}
 * that the composition root injects (the system clock in production, a {@link ManualClock} in tests
 * and in the development mode that moves time forward through the API).
 */

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;
/** One hour in milliseconds. */
export const HOUR_MS = 60 * MINUTE_MS;
/**
 * One day in milliseconds. Exact for Asia/Shanghai, which has no daylight saving time (see
 * calendar.ts), so "N days" is always `N * DAY_MS`.
 */
export const DAY_MS = 24 * HOUR_MS;

/**
 * The clock port: the only source of "now" for the core and the services.
 *
 * @example
 * function isExpired(deadline: number, clock: Clock): boolean {
 *   return clock.now() >= deadline;
 * }
 */
export interface Clock {
  /** The current instant in epoch milliseconds (UTC). */
  now(): number;
}

function assertInstant(ms: number, what: string): void {
  // NaN or Infinity would silently poison every comparison downstream (NaN < x is always false).
  if (!Number.isFinite(ms))
    throw new RangeError(`${what} must be a finite number of milliseconds, got ${ms}`);
}

/**
 * A clock that only moves when told to: tests use it to cross a 60-day cooling-off instantly, and
 * the development server uses it for its "advance the clock" endpoint.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2026, 8, 30, 2));
 * clock.advance(parseIsoDuration('P60D'));
 * clock.now(); // 60 days later
 */
export class ManualClock implements Clock {
  #ms: number;

  constructor(startMs: number) {
    assertInstant(startMs, 'ManualClock start');
    this.#ms = startMs;
  }

  now(): number {
    return this.#ms;
  }

  /**
   * Jump to an instant (backwards too: a test may need to replay a moment).
   *
   * @example
   * clock.set(shanghaiDateTime(2026, 10, 1, 9));
   */
  set(ms: number): void {
    assertInstant(ms, 'ManualClock.set');
    this.#ms = ms;
  }

  /**
   * Move forward by `ms` milliseconds and return the new instant. Negative steps are refused: code
   * under test may rely on time never going backwards between two reads; use {@link set} to rewind
   * on purpose.
   *
   * @example
   * clock.advance(2 * HOUR_MS);
   */
  advance(ms: number): number {
    assertInstant(ms, 'ManualClock.advance step');
    if (ms < 0)
      throw new RangeError(`ManualClock.advance step must not be negative, got ${ms}; use set() to rewind`);
    this.#ms += ms;
    return this.#ms;
  }
}

// Only the units with a fixed length. Years and months vary (28–31 days, leap years), so a policy
// that says "P1M" would be ambiguous; it must say "P30D" instead. Weeks are the ISO alternative
// form `PnW` and cannot be combined with other units (ISO 8601-1).
const DURATION_RE =
  /^P(?:(?<w>\d+(?:[.,]\d+)?)W|(?:(?<d>\d+(?:[.,]\d+)?)D)?(?:T(?:(?<h>\d+(?:[.,]\d+)?)H)?(?:(?<m>\d+(?:[.,]\d+)?)M)?(?:(?<s>\d+(?:[.,]\d+)?)S)?)?)$/;
const UNIT_MS = { w: 7 * DAY_MS, d: DAY_MS, h: HOUR_MS, m: MINUTE_MS, s: 1000 } as const;
const UNITS = ['w', 'd', 'h', 'm', 's'] as const;

/**
 * Parse an ISO-8601 duration of weeks, days, hours, minutes and seconds into milliseconds.
 * A decimal fraction is allowed on the smallest unit only (`PT1.5H`, `PT0.25S`), as ISO 8601 says.
 * Years and months are refused because they have no fixed length.
 *
 * @throws RangeError naming the input when it is malformed, empty (`P`, `PT`), uses years or
 *   months, or is too large to be represented exactly.
 * @example
 * parseIsoDuration('P60D');    // 5_184_000_000
 * parseIsoDuration('PT2H');    // 7_200_000
 * parseIsoDuration('P1DT30M'); // 88_200_000
 * parseIsoDuration('P2W');     // 1_209_600_000
 * parseIsoDuration('P1M');     // throws RangeError (months are not a fixed length)
 */
export function parseIsoDuration(s: string): number {
  const groups = DURATION_RE.exec(s)?.groups;
  if (!groups) {
    // A more helpful message for the most likely mistake: a calendar unit (Y or M before any T).
    if (/^P[^T]*[YM]/.test(s)) {
      throw new RangeError(
        `Unsupported ISO-8601 duration "${s}": years and months have no fixed length; use days, e.g. "P30D" or "P365D"`,
      );
    }
    throw new RangeError(
      `Invalid ISO-8601 duration "${s}": expected e.g. "P60D", "PT2H", "P1DT30M", "PT90S" or "P2W" (weeks, days, hours, minutes, seconds)`,
    );
  }
  const present = UNITS.filter((u) => groups[u] !== undefined);
  // `P`, `PT` and `P1DT` match the pattern's optional parts but say nothing (or a dangling T).
  const timeNamed = groups.h !== undefined || groups.m !== undefined || groups.s !== undefined;
  if (present.length === 0 || (s.includes('T') && !timeNamed)) {
    throw new RangeError(
      `Invalid ISO-8601 duration "${s}": every designator needs an amount and "T" needs a time unit after it, e.g. "P1D", "PT1H"`,
    );
  }
  let total = 0;
  present.forEach((unit, i) => {
    const text = (groups[unit] as string).replace(',', '.');
    if (text.includes('.') && i !== present.length - 1) {
      throw new RangeError(`Invalid ISO-8601 duration "${s}": only the smallest unit may have a fraction`);
    }
    total += Number(text) * UNIT_MS[unit];
  });
  // Rounded so fractional seconds below a millisecond still give an integer instant offset.
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw new RangeError(`ISO-8601 duration "${s}" is too large`);
  return ms;
}
