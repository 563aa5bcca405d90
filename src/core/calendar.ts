/**
 * Asia/Shanghai civil time and the Chinese working-day calendar (SPEC R-CARD-2, R-CARD-3, R-MIN-1,
 * R-MIN-2, R-WIN-1, R-WIN-2, R-ABN-2, R-CHG-2, R-CHG-3).
 *
 * Why a fixed offset instead of Intl/tz data: mainland China has used UTC+08:00 all year round since
 * it abandoned daylight saving time in September 1991, so every instant this service decides about is
 * `UTC + 8h`. Plain integer arithmetic is exact, allocation-free (these helpers run inside every
 * preflight and inside the 100-way concurrency tests) and independent of the host's TZ setting and
 * ICU build. Instants before 1991-09-15 would need tz data; the service never handles them.
 *
 * Working days come from the official State Council schedule (国务院办公厅 holiday notice), shipped as
 * data by the `chinese-days` package and overridable per year by the operator, because the notice for
 * next year is published only in November.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from './clock.js';
// Pure data (no code runs): the package's generated table of holidays and adjusted working days.
// The package's functions are not used: they read the *host's* local time zone (a timestamp near
// midnight lands on the wrong day on a UTC server) and silently treat unknown years as weekday-only.
import chineseDaysData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import chineseDaysPackage from 'chinese-days/package.json' with { type: 'json' };

/** UTC+08:00, the offset of Asia/Shanghai at every instant since 1991. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Calendar fields of an instant in Asia/Shanghai. */
export interface ShanghaiParts {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

function assertInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`Expected an instant in epoch milliseconds, got ${ms}`);
}

/** Days since 1970-01-01 of the Shanghai calendar day holding `ms` (the basis of every day helper). */
function shanghaiDayIndex(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** Epoch ms of Shanghai midnight opening day number `index`. */
function dayIndexStart(index: number): number {
  return index * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** 1970-01-01 was a Thursday (4). */
function weekdayOfIndex(index: number): number {
  return (((index + 4) % 7) + 7) % 7;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** '00' … '99': the two-digit fields of formatted dates, looked up rather than padded. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => pad2(i));

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day index of a civil date; the caller has validated the fields. */
function civilDayIndex(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/**
 * The calendar fields of `ms` on the Shanghai wall clock.
 *
 * @example
 * shanghaiParts(Date.UTC(2026, 8, 30, 16, 0)); // { year: 2026, month: 10, day: 1, hour: 0, minute: 0, second: 0, weekday: 4 }
 */
export function shanghaiParts(ms: number): ShanghaiParts {
  assertInstant(ms);
  // Shifting by +8h gives the Shanghai wall clock (no DST, see top).
  const local = ms + SHANGHAI_OFFSET_MS;
  const index = Math.floor(local / DAY_MS);
  const msOfDay = local - index * DAY_MS;
  const ymd = civilOfIndex(index);
  return {
    year: Math.floor(ymd / 10_000),
    month: Math.floor(ymd / 100) % 100,
    day: ymd % 100,
    hour: Math.floor(msOfDay / HOUR_MS),
    minute: Math.floor((msOfDay % HOUR_MS) / MINUTE_MS),
    second: Math.floor((msOfDay % MINUTE_MS) / 1000),
    weekday: weekdayOfIndex(index),
  };
}

/**
 * The civil date of a day index (days since 1970-01-01), packed as `year * 10 000 + month * 100 +
 * day` so that the hot paths (every date in every blocker message) allocate nothing. Howard
 * Hinnant's days-to-civil algorithm: integer arithmetic, no Date object.
 */
function civilOfIndex(index: number): number {
  const z = index + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10_000 + month * 100 + day;
}

/**
 * The Shanghai calendar day of `ms` as `YYYY-MM-DD`: the key for per-day counters (R-CARD-2).
 *
 * @example
 * dayKey(Date.UTC(2026, 8, 30, 15, 59, 59, 999)); // '2026-09-30'
 * dayKey(Date.UTC(2026, 8, 30, 16, 0));           // '2026-10-01' (Shanghai midnight)
 */
export function dayKey(ms: number): string {
  const p = shanghaiParts(ms);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

/**
 * The Shanghai calendar month of `ms` as `YYYY-MM`: the key for per-month counters (R-MIN-2).
 *
 * @example
 * monthKey(Date.UTC(2026, 8, 30, 16, 0)); // '2026-10'
 */
export function monthKey(ms: number): string {
  const p = shanghaiParts(ms);
  return `${p.year}-${pad2(p.month)}`;
}

/**
 * Shanghai midnight opening the day of `ms`.
 *
 * @example
 * startOfShanghaiDay(shanghaiDateTime(2026, 10, 1, 9, 30)) === shanghaiDateTime(2026, 10, 1); // true
 */
export function startOfShanghaiDay(ms: number): number {
  assertInstant(ms);
  return dayIndexStart(shanghaiDayIndex(ms));
}

/**
 * Shanghai midnight closing the day of `ms`: when a per-day limit resets (retry-after of R-CARD-2).
 *
 * @example
 * nextShanghaiMidnight(shanghaiDateTime(2026, 10, 1, 23, 59)) === shanghaiDateTime(2026, 10, 2); // true
 */
export function nextShanghaiMidnight(ms: number): number {
  assertInstant(ms);
  return dayIndexStart(shanghaiDayIndex(ms) + 1);
}

/**
 * Shanghai midnight opening the month of `ms`.
 *
 * @example
 * startOfShanghaiMonth(shanghaiDateTime(2026, 10, 8, 12)) === shanghaiDateTime(2026, 10, 1); // true
 */
export function startOfShanghaiMonth(ms: number): number {
  const p = shanghaiParts(ms);
  return dayIndexStart(civilDayIndex(p.year, p.month, 1));
}

/**
 * Shanghai midnight opening the month after the one of `ms`: when a per-month limit resets (R-MIN-2).
 *
 * @example
 * nextShanghaiMonthStart(shanghaiDateTime(2026, 12, 31, 23)) === shanghaiDateTime(2027, 1, 1); // true
 */
export function nextShanghaiMonthStart(ms: number): number {
  const p = shanghaiParts(ms);
  // Date.UTC rolls month 13 over into January of the next year.
  return dayIndexStart(civilDayIndex(p.year, p.month + 1, 1));
}

/**
 * Whether two instants fall on the same Shanghai calendar day (R-CARD-2 counts per such day).
 *
 * @example
 * sameShanghaiDay(shanghaiDateTime(2026, 10, 1, 0), shanghaiDateTime(2026, 10, 1, 23, 59)); // true
 */
export function sameShanghaiDay(a: number, b: number): boolean {
  assertInstant(a);
  assertInstant(b);
  return shanghaiDayIndex(a) === shanghaiDayIndex(b);
}

/**
 * Whether two instants fall in the same Shanghai calendar month (R-MIN-2 counts per such month).
 *
 * @example
 * sameShanghaiMonth(shanghaiDateTime(2026, 10, 1), shanghaiDateTime(2026, 10, 31, 23)); // true
 */
export function sameShanghaiMonth(a: number, b: number): boolean {
  const pa = shanghaiParts(a);
  const pb = shanghaiParts(b);
  return pa.year === pb.year && pa.month === pb.month;
}

/**
 * Whether `eventMs` lies in the rolling window of the last `days` days ending at `nowMs`:
 * `nowMs - days * DAY_MS < eventMs <= nowMs`. An event exactly `days` days ago is **outside** (it has
 * just aged out, so the retry-after of a rolling limit is `oldest + days * DAY_MS`), and an event
 * in the future is outside too. Rolling windows count elapsed time, not calendar days: used for
 * 7 days (R-CARD-3, R-REV-1 device change), 30 days (R-REV-1 abnormal login), 90 days (R-CHG-2) and
 * 365 days (R-CHG-3).
 *
 * @example
 * const now = shanghaiDateTime(2026, 10, 8, 12);
 * withinRollingDays(now - 7 * DAY_MS + 1, now, 7); // true
 * withinRollingDays(now - 7 * DAY_MS, now, 7);     // false: exactly 7 days ago has aged out
 */
export function withinRollingDays(eventMs: number, nowMs: number, days: number): boolean {
  return eventMs <= nowMs && eventMs > nowMs - days * DAY_MS;
}

/** A daily time window on the Shanghai wall clock, `'HH:MM'` each; start inclusive, end exclusive. */
export interface DailyWindow {
  start: string;
  end: string;
}

// Policies hold a handful of distinct 'HH:MM' strings; parse each once (this runs in every preflight).
const hhmmCache = new Map<string, number>();
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of an 'HH:MM' string (00:00–23:59). */
function minuteOfDay(hhmm: string): number {
  let minutes = hhmmCache.get(hhmm);
  if (minutes === undefined) {
    const m = HHMM_RE.exec(hhmm);
    if (!m)
      throw new RangeError(`Invalid time of day "${hhmm}": expected 24-hour "HH:MM" between 00:00 and 23:59`);
    minutes = Number(m[1]) * 60 + Number(m[2]);
    hhmmCache.set(hhmm, minutes);
  }
  return minutes;
}

/** Milliseconds elapsed since Shanghai midnight. */
function msOfShanghaiDay(ms: number): number {
  return ms - startOfShanghaiDay(ms);
}

/**
 * Whether `ms` lies in the daily window `w` (Shanghai wall clock, start inclusive, end exclusive).
 * A window whose end is not after its start crosses midnight (22:00–06:00 is 22:00 → 06:00 next
 * day, R-MIN-1); 04:00–06:00 stays within one day (R-WIN-1). A window with equal start and end is
 * empty, so a policy can switch a window off without a separate flag.
 *
 * @throws RangeError if a bound is not a valid 'HH:MM'.
 * @example
 * const night = { start: '22:00', end: '06:00' };
 * inDailyWindow(shanghaiDateTime(2026, 10, 8, 22, 0), night); // true
 * inDailyWindow(shanghaiDateTime(2026, 10, 8, 6, 0), night);  // false (end is exclusive)
 */
export function inDailyWindow(ms: number, w: DailyWindow): boolean {
  const start = minuteOfDay(w.start) * MINUTE_MS;
  const end = minuteOfDay(w.end) * MINUTE_MS;
  const t = msOfShanghaiDay(ms);
  if (start === end) return false;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/**
 * The instant the occurrence of window `w` that contains `ms` ends: the retry-after of an operation
 * refused because of the window (R-WIN-1 "refused with a retry-after", R-MIN-1).
 *
 * @throws RangeError if `ms` is not inside the window (asking when a window ends that one is not in
 *   is a caller bug, and guessing "now" or "the next one" would hide it).
 * @example
 * dailyWindowEnd(shanghaiDateTime(2026, 10, 7, 23, 0), { start: '22:00', end: '06:00' })
 *   === shanghaiDateTime(2026, 10, 8, 6, 0); // true: crosses midnight
 * dailyWindowEnd(shanghaiDateTime(2026, 10, 8, 4, 30), { start: '04:00', end: '06:00' })
 *   === shanghaiDateTime(2026, 10, 8, 6, 0); // true
 */
export function dailyWindowEnd(ms: number, w: DailyWindow): number {
  if (!inDailyWindow(ms, w)) {
    throw new RangeError(`${formatShanghai(ms, 'en')} is not inside the daily window ${w.start}–${w.end}`);
  }
  const dayStart = startOfShanghaiDay(ms);
  const start = minuteOfDay(w.start) * MINUTE_MS;
  const end = minuteOfDay(w.end) * MINUTE_MS;
  // In a midnight-crossing window, the part after `start` ends tomorrow; the part before `end` today.
  const endsTomorrow = start > end && ms - dayStart >= start;
  return dayStart + (endsTomorrow ? DAY_MS : 0) + end;
}

/**
 * The instant of a Shanghai wall-clock date and time (month 1–12). Every field is validated, so
 * `shanghaiDateTime(2026, 2, 30)` throws instead of silently meaning March 2.
 *
 * @throws RangeError on an impossible date or time.
 * @example
 * shanghaiDateTime(2026, 10, 1);       // 1790784000000 (2026-09-30T16:00:00Z)
 * shanghaiDateTime(2026, 10, 8, 6, 0); // 06:00 on 8 October 2026, Beijing time
 */
export function shanghaiDateTime(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const ok =
    Number.isInteger(year) &&
    year >= 1000 &&
    year <= 9999 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    Number.isInteger(hour) &&
    hour >= 0 &&
    hour <= 23 &&
    Number.isInteger(minute) &&
    minute >= 0 &&
    minute <= 59 &&
    Number.isInteger(second) &&
    second >= 0 &&
    second <= 59;
  if (!ok) {
    throw new RangeError(
      `Invalid Shanghai date-time ${year}-${month}-${day} ${hour}:${minute}:${second} (year 1000–9999, month 1–12, valid day, 24-hour time)`,
    );
  }
  return dayIndexStart(civilDayIndex(year, month, day)) + hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
}

/**
 * A human date-time on the Shanghai wall clock, naming the zone so a user abroad is not misled.
 * Built by hand rather than with Intl: the output is fixed and must not depend on the host's ICU data.
 *
 * @example
 * formatShanghai(shanghaiDateTime(2026, 10, 8, 6), 'en');    // '2026-10-08 06:00 (UTC+8)'
 * formatShanghai(shanghaiDateTime(2026, 10, 8, 6), 'zh-CN'); // '2026年10月8日 06:00（北京时间）'
 */
export function formatShanghai(ms: number, locale: 'en' | 'zh-CN'): string {
  assertInstant(ms);
  // Straight-line and allocation-free apart from the result: this renders every date of every
  // blocker message in both languages (the preflight benchmark's largest single cost).
  const local = ms + SHANGHAI_OFFSET_MS;
  const index = Math.floor(local / DAY_MS);
  const msOfDay = local - index * DAY_MS;
  const ymd = civilOfIndex(index);
  const year = Math.floor(ymd / 10_000);
  const month = Math.floor(ymd / 100) % 100;
  const day = ymd % 100;
  const time = `${TWO_DIGITS[Math.floor(msOfDay / HOUR_MS)]}:${TWO_DIGITS[Math.floor((msOfDay % HOUR_MS) / MINUTE_MS)]}`;
  return locale === 'zh-CN'
    ? `${year}年${month}月${day}日 ${time}（北京时间）`
    : `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]} ${time} (UTC+8)`;
}

const DAY_KEY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day index of a strict 'YYYY-MM-DD' key. */
function parseDayKey(key: string): { index: number; year: number } {
  const m = DAY_KEY_RE.exec(key);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  if (!m || year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`Invalid calendar day "${key}": expected an existing date as "YYYY-MM-DD"`);
  }
  return { index: civilDayIndex(year, month, day), year };
}

/**
 * Shanghai midnight opening the calendar day `key` ('YYYY-MM-DD').
 *
 * @throws RangeError if the key is not an existing date.
 * @example
 * startOfDayKey('2026-10-01') === shanghaiDateTime(2026, 10, 1); // true
 */
export function startOfDayKey(key: string): number {
  return dayIndexStart(parseDayKey(key).index);
}

/**
 * One year of the official schedule, as data: an operator adds next year's State Council notice
 * this way before the `chinese-days` package is updated.
 */
export interface YearSchedule {
  year: number;
  /** Days off of the public holidays ('YYYY-MM-DD'), weekends inside a holiday period included or not. */
  holidays: string[];
  /** Adjusted working days (调休上班): weekend days that are working days ('YYYY-MM-DD'). */
  workdays: string[];
  /** Where the data comes from (e.g. the gov.cn notice URL); shown in diagnostics. */
  source?: string;
}

/**
 * The shape of `chinese-days/dist/chinese-days.json`: date → "English name,中文名,days" maps. Only the
 * keys are used; `inLieuDays` (days off that are paid back by a working weekend) are already inside
 * `holidays`, so they are not needed.
 */
export interface BuiltinHolidayData {
  holidays: Readonly<Record<string, string>>;
  workdays: Readonly<Record<string, string>>;
  /** Where the data comes from, e.g. 'chinese-days@1.5.7'. */
  source?: string;
}

export interface WorkingDayCalendarOptions {
  builtin: BuiltinHolidayData;
  /** Each replaces the built-in data of its year entirely. At most one per year. */
  overrides?: readonly YearSchedule[];
}

/**
 * Working days on the Chinese calendar (R-WIN-2, R-ABN-2): Monday–Friday, minus public holidays,
 * plus adjusted working weekend days (调休). Immutable once built.
 *
 * Conventions, chosen so an SLA of "3 working days" means what a user expects:
 * - Working-day arithmetic is on Shanghai calendar days; the day of submission does not count.
 * - A deadline is the **end** of its last working day (23:59:59.999 Shanghai).
 * - A year with neither built-in data nor an override counts weekends only; {@link missingCoverage}
 *   lets the service warn about it at start and in appeal preflights.
 *
 * @example
 * const cal = defaultWorkingDayCalendar();
 * cal.isWorkingDay('2026-10-01');                               // false (National Day)
 * cal.isWorkingDay('2026-10-10');                               // true (adjusted working Saturday)
 * cal.addWorkingDays(shanghaiDateTime(2026, 9, 30, 10), 3)
 *   === shanghaiDateTime(2026, 10, 10, 23, 59, 59) + 999;       // true
 */
export class WorkingDayCalendar {
  /** Day index → working (true) or day off (false), for days that differ from Monday–Friday. */
  readonly #exceptions = new Map<number, boolean>();
  /** Year → where its data comes from, for every year with official data. */
  readonly #sources = new Map<number, string>();

  constructor(options: WorkingDayCalendarOptions) {
    const overrides = options.overrides ?? [];
    const overridden = new Set<number>();
    for (const o of overrides) {
      if (!Number.isInteger(o.year) || o.year < 1000 || o.year > 9999) {
        throw new RangeError(`Invalid calendar override year ${o.year}`);
      }
      if (overridden.has(o.year)) throw new RangeError(`Calendar override for ${o.year} is given twice`);
      overridden.add(o.year);
    }

    // Built-in data first, skipping every overridden year: an override replaces a year, it does not
    // merge with it (a corrected notice may move a holiday, which a merge could not express).
    const builtinSource = options.builtin.source ?? 'built-in';
    const addBuiltin = (table: Readonly<Record<string, string>>, working: boolean): void => {
      for (const key of Object.keys(table)) {
        const { index, year } = parseDayKey(key);
        if (overridden.has(year)) continue;
        this.#exceptions.set(index, working);
        this.#sources.set(year, builtinSource);
      }
    };
    addBuiltin(options.builtin.holidays, false);
    addBuiltin(options.builtin.workdays, true);

    for (const o of overrides) {
      const where = `calendar override ${o.year}`;
      const holidays = new Set<number>();
      for (const key of o.holidays) {
        const { index, year } = parseDayKey(key);
        if (year !== o.year) throw new RangeError(`${where}: holiday ${key} is not in ${o.year}`);
        holidays.add(index);
        this.#exceptions.set(index, false);
      }
      for (const key of o.workdays) {
        const { index, year } = parseDayKey(key);
        if (year !== o.year) throw new RangeError(`${where}: working day ${key} is not in ${o.year}`);
        if (holidays.has(index))
          throw new RangeError(`${where}: ${key} is listed both as a holiday and as a working day`);
        this.#exceptions.set(index, true);
      }
      this.#sources.set(o.year, o.source ?? 'override');
    }
  }

  #isWorkingIndex(index: number): boolean {
    const exception = this.#exceptions.get(index);
    if (exception !== undefined) return exception;
    const weekday = weekdayOfIndex(index);
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * Whether a Shanghai calendar day (a 'YYYY-MM-DD' key, or any instant in it) is a working day.
   *
   * @throws RangeError on a malformed key or a non-finite instant.
   * @example
   * cal.isWorkingDay('2026-09-20');                      // true: a Sunday made a working day
   * cal.isWorkingDay(shanghaiDateTime(2026, 10, 1, 9));  // false: National Day
   */
  isWorkingDay(dayKeyOrMs: string | number): boolean {
    if (typeof dayKeyOrMs === 'string') return this.#isWorkingIndex(parseDayKey(dayKeyOrMs).index);
    assertInstant(dayKeyOrMs);
    return this.#isWorkingIndex(shanghaiDayIndex(dayKeyOrMs));
  }

  /**
   * The end (23:59:59.999 Shanghai) of the `n`th working day after the day of `ms`. The day of `ms`
   * itself never counts, even if it is a working day submitted at 00:01: an SLA of n working days
   * gives n full working days. `n = 0` gives the end of the day of `ms`.
   *
   * @throws RangeError if `n` is not a non-negative integer.
   * @example
   * // Submitted Wed 2026-09-30; 10-01..10-07 are National Day; 10-08 (1), 10-09 (2), Sat 10-10 (3).
   * cal.addWorkingDays(shanghaiDateTime(2026, 9, 30, 10), 3) === shanghaiDateTime(2026, 10, 11) - 1; // true
   */
  addWorkingDays(ms: number, n: number): number {
    assertInstant(ms);
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`Working days to add must be a non-negative integer, got ${n}`);
    let index = shanghaiDayIndex(ms);
    for (let counted = 0; counted < n;) {
      index++;
      if (this.#isWorkingIndex(index)) counted++;
    }
    return dayIndexStart(index + 1) - 1;
  }

  /**
   * The number of working days after the day of `fromMs` up to and including the day of `toMs`
   * (the inverse of {@link addWorkingDays}: `workingDaysBetween(t, addWorkingDays(t, n)) === n`).
   * Negative when `toMs` is on an earlier day.
   *
   * @example
   * cal.workingDaysBetween(shanghaiDateTime(2026, 9, 30), shanghaiDateTime(2026, 10, 9)); // 2
   */
  workingDaysBetween(fromMs: number, toMs: number): number {
    assertInstant(fromMs);
    assertInstant(toMs);
    const from = shanghaiDayIndex(fromMs);
    const to = shanghaiDayIndex(toMs);
    if (to < from) return -this.workingDaysBetween(toMs, fromMs);
    let count = 0;
    for (let index = from + 1; index <= to; index++) if (this.#isWorkingIndex(index)) count++;
    return count;
  }

  /**
   * Whether `year` has an official schedule (built-in or override) rather than the weekends-only
   * fallback.
   *
   * @example
   * cal.hasOfficialData(2026); // true
   */
  hasOfficialData(year: number): boolean {
    return this.#sources.has(year);
  }

  /**
   * The years touched by the Shanghai days from the day of `fromMs` to the day `days` days later
   * (inclusive) that have no official data, ascending: what the service warns about at start and an
   * appeal preflight flags (R-WIN-2).
   *
   * @example
   * cal.missingCoverage(shanghaiDateTime(2026, 12, 1), 60); // [2027] unless 2027 is overridden
   */
  missingCoverage(fromMs: number, days: number): number[] {
    assertInstant(fromMs);
    const first = shanghaiParts(fromMs).year;
    const last = shanghaiParts(fromMs + Math.max(0, days) * DAY_MS).year;
    const missing: number[] = [];
    for (let year = first; year <= last; year++) if (!this.hasOfficialData(year)) missing.push(year);
    return missing;
  }

  /**
   * The years with official data, ascending.
   *
   * @example
   * cal.coveredYears().at(-1); // 2026 with chinese-days@1.5.7 and no override
   */
  coveredYears(): number[] {
    return [...this.#sources.keys()].sort((a, b) => a - b);
  }

  /**
   * Where the data of `year` comes from ('chinese-days@1.5.7', an override's `source`, 'override'),
   * or undefined for a weekends-only year.
   *
   * @example
   * cal.sourceOf(2026); // 'chinese-days@1.5.7'
   */
  sourceOf(year: number): string | undefined {
    return this.#sources.get(year);
  }
}

/** The package's table, typed and labelled with its version. */
export const CHINESE_DAYS_DATA: BuiltinHolidayData = {
  holidays: chineseDaysData.holidays,
  workdays: chineseDaysData.workdays,
  source: `chinese-days@${chineseDaysPackage.version}`,
};

let defaultCalendar: WorkingDayCalendar | undefined;

/**
 * The working-day calendar from the `chinese-days` data (2004–2026 in 1.5.7) plus the operator's
 * overrides. Without overrides the instance is shared: it is immutable.
 *
 * @example
 * const cal = defaultWorkingDayCalendar([
 *   { year: 2027, holidays: ['2027-01-01'], workdays: [], source: 'https://www.gov.cn/…' },
 * ]);
 * cal.hasOfficialData(2027); // true
 */
export function defaultWorkingDayCalendar(overrides?: readonly YearSchedule[]): WorkingDayCalendar {
  if (overrides && overrides.length > 0)
    return new WorkingDayCalendar({ builtin: CHINESE_DAYS_DATA, overrides });
  defaultCalendar ??= new WorkingDayCalendar({ builtin: CHINESE_DAYS_DATA });
  return defaultCalendar;
}
