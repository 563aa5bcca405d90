import { isWorkday as packageIsWorkday } from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHINESE_DAYS_DATA,
  SHANGHAI_OFFSET_MS,
  WorkingDayCalendar,
  type YearSchedule,
  dailyWindowEnd,
  dayKey,
  defaultWorkingDayCalendar,
  formatShanghai,
  inDailyWindow,
  monthKey,
  nextShanghaiMidnight,
  nextShanghaiMonthStart,
  sameShanghaiDay,
  sameShanghaiMonth,
  shanghaiDateTime,
  shanghaiParts,
  startOfDayKey,
  startOfShanghaiDay,
  startOfShanghaiMonth,
  withinRollingDays,
} from '../../src/core/calendar.js';
import { DAY_MS, MINUTE_MS } from '../../src/core/clock.js';

const at = shanghaiDateTime;
/** The last millisecond of a Shanghai day: the convention of addWorkingDays. */
const endOf = (y: number, m: number, d: number): number => at(y, m, d) + DAY_MS - 1;

// Shanghai midnight opening 2026-10-01 is 2026-09-30T16:00:00Z.
const MIDNIGHT_OCT_1 = Date.UTC(2026, 8, 30, 16, 0, 0, 0);

/** The IANA zone through ICU: the independent reference the hand-written Shanghai arithmetic is checked against. */
const SHANGHAI_FMT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
describe('Shanghai civil time (fixed UTC+8)', () => {
  it('offset is eight hours', () => {
    expect(SHANGHAI_OFFSET_MS).toBe(8 * 3_600_000);
    expect(at(2026, 10, 1)).toBe(MIDNIGHT_OCT_1);
  });

  it('R-CARD-2 day and month keys change at 16:00Z, not at UTC midnight', () => {
    expect(dayKey(MIDNIGHT_OCT_1 - 1)).toBe('2026-09-30');
    expect(dayKey(MIDNIGHT_OCT_1)).toBe('2026-10-01');
    expect(monthKey(MIDNIGHT_OCT_1 - 1)).toBe('2026-09');
    expect(monthKey(MIDNIGHT_OCT_1)).toBe('2026-10');
    expect(sameShanghaiDay(MIDNIGHT_OCT_1 - 1, MIDNIGHT_OCT_1)).toBe(false);
    expect(sameShanghaiMonth(MIDNIGHT_OCT_1 - 1, MIDNIGHT_OCT_1)).toBe(false);
    // Same UTC day, two Shanghai days; different UTC days, one Shanghai day.
    expect(sameShanghaiDay(Date.UTC(2026, 8, 30, 15), Date.UTC(2026, 8, 30, 17))).toBe(false);
    expect(sameShanghaiDay(Date.UTC(2026, 8, 30, 17), Date.UTC(2026, 9, 1, 15, 59))).toBe(true);
    expect(sameShanghaiMonth(at(2026, 10, 1), at(2026, 10, 31, 23, 59))).toBe(true);
  });

  it('parts, day and month boundaries', () => {
    expect(shanghaiParts(MIDNIGHT_OCT_1)).toEqual({
      year: 2026,
      month: 10,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      weekday: 4,
    });
    const t = at(2026, 10, 8, 14, 35, 12) + 345;
    expect(startOfShanghaiDay(t)).toBe(at(2026, 10, 8));
    expect(nextShanghaiMidnight(t)).toBe(at(2026, 10, 9));
    expect(nextShanghaiMidnight(at(2026, 10, 8))).toBe(at(2026, 10, 9));
    expect(startOfShanghaiMonth(t)).toBe(at(2026, 10, 1));
    expect(nextShanghaiMonthStart(t)).toBe(at(2026, 11, 1));
    expect(nextShanghaiMonthStart(at(2026, 12, 31, 23, 59))).toBe(at(2027, 1, 1));
    expect(startOfShanghaiMonth(at(2028, 2, 29, 12))).toBe(at(2028, 2, 1));
    expect(startOfDayKey('2026-10-01')).toBe(MIDNIGHT_OCT_1);
  });

  it('agrees with the IANA Asia/Shanghai zone for any instant since 1992', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const p = shanghaiParts(ms);
        const expected = SHANGHAI_FMT.format(new Date(ms)).replace(',', '');
        const mine = `${dayKey(ms)} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
        expect(mine).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('shanghaiDateTime validates every field', () => {
    expect(() => at(2026, 2, 29)).toThrow(RangeError);
    expect(() => at(2026, 13, 1)).toThrow(RangeError);
    expect(() => at(2026, 10, 1, 24)).toThrow(RangeError);
    expect(() => at(2026, 10, 1, 12, 60)).toThrow(RangeError);
    expect(() => at(2026, 10, 1.5)).toThrow(RangeError);
    expect(at(2028, 2, 29)).toBe(Date.UTC(2028, 1, 28, 16));
    expect(() => dayKey(Number.NaN)).toThrow(RangeError);
    expect(() => startOfDayKey('2026-02-30')).toThrow(RangeError);
  });

  it('formats in both locales with the zone named', () => {
    expect(formatShanghai(at(2026, 10, 8, 6, 0), 'en')).toBe('2026-10-08 06:00 (UTC+8)');
    expect(formatShanghai(at(2026, 10, 8, 6, 0), 'zh-CN')).toBe('2026年10月8日 06:00（北京时间）');
    expect(formatShanghai(MIDNIGHT_OCT_1 - 1, 'en')).toBe('2026-09-30 23:59 (UTC+8)');
  });

  it('formatShanghai agrees with Intl (Asia/Shanghai) in both locales on any instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const [date = '', time = ''] = SHANGHAI_FMT.format(new Date(ms)).split(', ');
        const [y, m, d] = date.split('-').map(Number);
        expect(formatShanghai(ms, 'en')).toBe(`${date} ${time} (UTC+8)`);
        expect(formatShanghai(ms, 'zh-CN')).toBe(`${y}年${m}月${d}日 ${time}（北京时间）`);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('withinRollingDays', () => {
  const now = at(2026, 10, 8, 12, 0);

  it.each([
    ['R-CARD-3', 7],
    ['R-REV-1', 30],
    ['R-CHG-2', 90],
    ['R-CHG-3', 365],
  ])('%s an event exactly %i days ago is outside, one ms later inside', (_rule, days) => {
    expect(withinRollingDays(now - days * DAY_MS, now, days)).toBe(false);
    expect(withinRollingDays(now - days * DAY_MS + 1, now, days)).toBe(true);
  });

  it('R-CARD-3 counts elapsed time, not calendar days', () => {
    // 6 days 23 h ago is on the 7th calendar day back, but still inside 7 rolling days.
    expect(withinRollingDays(now - 7 * DAY_MS + 3_600_000, now, 7)).toBe(true);
  });

  it('now is inside, the future is outside', () => {
    expect(withinRollingDays(now, now, 7)).toBe(true);
    expect(withinRollingDays(now + 1, now, 7)).toBe(false);
  });
});

describe('daily windows', () => {
  const night = { start: '22:00', end: '06:00' };
  const maintenance = { start: '04:00', end: '06:00' };
  const ms = (h: number, m: number, s = 0, extraMs = 0): number => at(2026, 10, 8, h, m, s) + extraMs;

  it('R-MIN-1 night window 22:00–06:00 crosses midnight; start inclusive, end exclusive', () => {
    expect(inDailyWindow(ms(21, 59, 59, 999), night)).toBe(false);
    expect(inDailyWindow(ms(21, 59), night)).toBe(false);
    expect(inDailyWindow(ms(22, 0), night)).toBe(true);
    expect(inDailyWindow(ms(23, 59, 59, 999), night)).toBe(true);
    expect(inDailyWindow(ms(0, 0), night)).toBe(true);
    expect(inDailyWindow(ms(5, 59), night)).toBe(true);
    expect(inDailyWindow(ms(5, 59, 59, 999), night)).toBe(true);
    expect(inDailyWindow(ms(6, 0), night)).toBe(false);
    expect(inDailyWindow(ms(12, 0), night)).toBe(false);
  });

  it('R-WIN-1 maintenance window 04:00–06:00 within one day', () => {
    expect(inDailyWindow(ms(3, 59), maintenance)).toBe(false);
    expect(inDailyWindow(ms(3, 59, 59, 999), maintenance)).toBe(false);
    expect(inDailyWindow(ms(4, 0), maintenance)).toBe(true);
    expect(inDailyWindow(ms(5, 59), maintenance)).toBe(true);
    expect(inDailyWindow(ms(6, 0), maintenance)).toBe(false);
    expect(inDailyWindow(ms(23, 0), maintenance)).toBe(false);
  });

  it('R-MIN-1 retry-after: before midnight the night ends tomorrow at 06:00, after midnight today', () => {
    expect(dailyWindowEnd(ms(22, 0), night)).toBe(at(2026, 10, 9, 6, 0));
    expect(dailyWindowEnd(ms(23, 59, 59, 999), night)).toBe(at(2026, 10, 9, 6, 0));
    expect(dailyWindowEnd(ms(0, 0), night)).toBe(at(2026, 10, 8, 6, 0));
    expect(dailyWindowEnd(ms(5, 59, 59, 999), night)).toBe(at(2026, 10, 8, 6, 0));
    // Across a month and a year end.
    expect(dailyWindowEnd(at(2026, 12, 31, 23, 30), night)).toBe(at(2027, 1, 1, 6, 0));
  });

  it('R-WIN-1 retry-after is the end of the maintenance window', () => {
    expect(dailyWindowEnd(ms(4, 0), maintenance)).toBe(ms(6, 0));
    expect(dailyWindowEnd(ms(5, 59, 59, 999), maintenance)).toBe(ms(6, 0));
  });

  it('dailyWindowEnd outside the window is a caller bug', () => {
    expect(() => dailyWindowEnd(ms(6, 0), maintenance)).toThrow(/not inside/);
    expect(() => dailyWindowEnd(ms(12, 0), night)).toThrow(RangeError);
  });

  it('an equal start and end is an empty window; malformed bounds are refused', () => {
    expect(inDailyWindow(ms(4, 0), { start: '04:00', end: '04:00' })).toBe(false);
    for (const bad of ['24:00', '4:00', '04:60', '04-00', '', '04:00 ']) {
      expect(() => inDailyWindow(ms(4, 0), { start: bad, end: '06:00' })).toThrow(RangeError);
    }
  });

  it('the window is read on the Shanghai clock: 20:00Z is 04:00 Shanghai', () => {
    expect(inDailyWindow(Date.UTC(2026, 9, 7, 20, 0), maintenance)).toBe(true);
    expect(inDailyWindow(Date.UTC(2026, 9, 7, 4, 0), maintenance)).toBe(false);
  });
});

// The 2026 schedule (国办发明电〔2025〕 notice, as shipped in chinese-days@1.5.7):
//   New Year 01-01..01-03, Sun 01-04 worked; Spring Festival 02-15..02-23, Sat 02-14 and Sat 02-28
//   worked; Qingming 04-04..04-06; Labour Day 05-01..05-05, Sat 05-09 worked; Dragon Boat
//   06-19..06-21; Mid-autumn 09-25..09-27; National Day 10-01..10-07, Sun 09-20 and Sat 10-10 worked.
describe('WorkingDayCalendar on the official 2026 schedule', () => {
  const cal = defaultWorkingDayCalendar();

  it('knows 2004–2026 from chinese-days', () => {
    expect(cal.hasOfficialData(2004)).toBe(true);
    expect(cal.hasOfficialData(2026)).toBe(true);
    expect(cal.hasOfficialData(2027)).toBe(false);
    expect(cal.coveredYears()).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(cal.sourceOf(2026)).toBe('chinese-days@1.5.7');
  });

  it('R-WIN-2 public holidays are days off, even on weekdays', () => {
    for (const d of ['2026-01-01', '2026-02-16', '2026-04-06', '2026-05-05', '2026-06-19', '2026-09-25']) {
      expect(cal.isWorkingDay(d), d).toBe(false);
    }
    for (let day = 1; day <= 7; day++) expect(cal.isWorkingDay(at(2026, 10, day, 10))).toBe(false);
  });

  it('R-WIN-2 adjusted weekend days (调休) are working days', () => {
    // Sun 01-04, Sat 02-14, Sat 02-28, Sat 05-09, Sun 09-20, Sat 10-10.
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(
        shanghaiParts(startOfDayKey(d)).weekday === 0 || shanghaiParts(startOfDayKey(d)).weekday === 6,
      ).toBe(true);
      expect(cal.isWorkingDay(d), d).toBe(true);
    }
    // An ordinary weekend and an ordinary weekday.
    expect(cal.isWorkingDay('2026-10-11')).toBe(false);
    expect(cal.isWorkingDay('2026-10-08')).toBe(true);
  });

  it('isWorkingDay of an instant uses the Shanghai day', () => {
    expect(cal.isWorkingDay(MIDNIGHT_OCT_1 - 1)).toBe(true); // Wed 09-30 23:59:59.999
    expect(cal.isWorkingDay(MIDNIGHT_OCT_1)).toBe(false); // Thu 10-01 00:00
  });

  it('R-ABN-2 addWorkingDays across National Day: submitted 09-30, +3 ends Sat 10-10 (adjusted)', () => {
    const submitted = at(2026, 9, 30, 10, 15);
    expect(cal.addWorkingDays(submitted, 1)).toBe(endOf(2026, 10, 8));
    expect(cal.addWorkingDays(submitted, 2)).toBe(endOf(2026, 10, 9));
    expect(cal.addWorkingDays(submitted, 3)).toBe(endOf(2026, 10, 10));
    expect(formatShanghai(cal.addWorkingDays(submitted, 3), 'en')).toBe('2026-10-10 23:59 (UTC+8)');
    // The 3–7 working-day appeal SLA: the 7th is Thu 10-15 (10-11 is an ordinary Sunday).
    expect(cal.addWorkingDays(submitted, 7)).toBe(endOf(2026, 10, 15));
  });

  it('R-WIN-2 an adjusted working Sunday counts: Fri 09-18 + 1 = Sun 09-20', () => {
    expect(cal.addWorkingDays(at(2026, 9, 18, 9), 1)).toBe(endOf(2026, 9, 20));
    expect(cal.addWorkingDays(at(2026, 9, 18, 9), 2)).toBe(endOf(2026, 9, 21));
  });

  it('R-ABN-2 Spring Festival: Fri 02-13 + 1 = Sat 02-14 (worked), + 2 = Tue 02-24', () => {
    expect(cal.addWorkingDays(at(2026, 2, 13, 18), 1)).toBe(endOf(2026, 2, 14));
    expect(cal.addWorkingDays(at(2026, 2, 13, 18), 2)).toBe(endOf(2026, 2, 24));
  });

  it('the day of submission never counts, even at 00:00 on a working day; n = 0 ends that day', () => {
    expect(cal.addWorkingDays(at(2026, 10, 8, 0, 0), 1)).toBe(endOf(2026, 10, 9));
    expect(cal.addWorkingDays(at(2026, 10, 8, 9), 0)).toBe(endOf(2026, 10, 8));
    expect(() => cal.addWorkingDays(at(2026, 10, 8), -1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays(at(2026, 10, 8), 1.5)).toThrow(RangeError);
  });

  it('workingDaysBetween is the inverse of addWorkingDays', () => {
    expect(cal.workingDaysBetween(at(2026, 9, 30), at(2026, 10, 9))).toBe(2);
    expect(cal.workingDaysBetween(at(2026, 9, 30), at(2026, 10, 7))).toBe(0);
    expect(cal.workingDaysBetween(at(2026, 10, 9), at(2026, 9, 30))).toBe(-2);
    fc.assert(
      fc.property(
        fc.integer({ min: at(2004, 1, 1), max: at(2026, 12, 1) }),
        fc.integer({ min: 0, max: 40 }),
        (t, n) => {
          const due = cal.addWorkingDays(t, n);
          expect(cal.workingDaysBetween(t, due)).toBe(n);
          if (n > 0) expect(cal.isWorkingDay(due)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with chinese-days on every day of 2004–2026', () => {
    // Day keys, not instants: the package reads the host's local zone for Date and number inputs.
    let disagreements = 0;
    for (let t = at(2004, 1, 1); t < at(2027, 1, 1); t += DAY_MS) {
      if (cal.isWorkingDay(t) !== packageIsWorkday(dayKey(t))) disagreements++;
    }
    expect(disagreements).toBe(0);
  });

  it('rejects malformed day keys', () => {
    expect(() => cal.isWorkingDay('2026-10-1')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay(Number.NaN)).toThrow(RangeError);
  });
});

describe('WorkingDayCalendar overrides and coverage', () => {
  // A fictional 2027 schedule, as an operator would add it before the package knows the year.
  const fictional2027: YearSchedule = {
    year: 2027,
    holidays: [
      '2027-01-01',
      '2027-10-01',
      '2027-10-02',
      '2027-10-03',
      '2027-10-04',
      '2027-10-05',
      '2027-10-06',
      '2027-10-07',
    ],
    workdays: ['2027-09-26', '2027-10-09'],
    source: 'test: fictional 2027',
  };
  const plain = defaultWorkingDayCalendar();
  const with2027 = defaultWorkingDayCalendar([fictional2027]);

  it('R-WIN-2 a year without data falls back to weekends only', () => {
    expect(plain.isWorkingDay('2027-10-01')).toBe(true); // a Friday
    expect(plain.isWorkingDay('2027-10-09')).toBe(false); // a Saturday
    expect(plain.sourceOf(2027)).toBeUndefined();
  });

  it('R-WIN-2 an override year changes results and counts as official data', () => {
    expect(with2027.hasOfficialData(2027)).toBe(true);
    expect(with2027.sourceOf(2027)).toBe('test: fictional 2027');
    expect(with2027.isWorkingDay('2027-10-01')).toBe(false);
    expect(with2027.isWorkingDay('2027-10-09')).toBe(true);
    // Thu 2027-09-30 + 1: weekends-only says Fri 10-01; the override says Fri 10-08.
    expect(plain.addWorkingDays(at(2027, 9, 30, 10), 1)).toBe(endOf(2027, 10, 1));
    expect(with2027.addWorkingDays(at(2027, 9, 30, 10), 1)).toBe(endOf(2027, 10, 8));
    // And across the year end: Thu 2026-12-31 + 1 skips the 2027-01-01 holiday to Mon 01-04.
    expect(plain.addWorkingDays(at(2026, 12, 31, 10), 1)).toBe(endOf(2027, 1, 1));
    expect(with2027.addWorkingDays(at(2026, 12, 31, 10), 1)).toBe(endOf(2027, 1, 4));
    // The 2026 data is untouched.
    expect(with2027.isWorkingDay('2026-10-10')).toBe(true);
  });

  it('R-ABN-2 missingCoverage reports 2027 looking 60 days ahead from 2026-12-01, nothing once overridden', () => {
    expect(plain.missingCoverage(at(2026, 12, 1), 60)).toEqual([2027]);
    expect(with2027.missingCoverage(at(2026, 12, 1), 60)).toEqual([]);
    expect(plain.missingCoverage(at(2026, 12, 1), 30)).toEqual([]); // ends 12-31
    expect(plain.missingCoverage(at(2026, 12, 1), 31)).toEqual([2027]); // reaches 01-01
    expect(plain.missingCoverage(at(2026, 12, 1), 800)).toEqual([2027, 2028, 2029]);
  });

  it('an override replaces the built-in data of its year entirely', () => {
    const cal = defaultWorkingDayCalendar([{ year: 2026, holidays: ['2026-10-01'], workdays: [] }]);
    expect(cal.isWorkingDay('2026-10-01')).toBe(false);
    expect(cal.isWorkingDay('2026-10-02')).toBe(true); // no longer a holiday
    expect(cal.isWorkingDay('2026-10-10')).toBe(false); // no longer an adjusted working Saturday
    expect(cal.sourceOf(2026)).toBe('override');
    expect(cal.isWorkingDay('2025-10-01')).toBe(false); // other years keep the package data
  });

  it('a calendar can be built from any data, without the package', () => {
    const cal = new WorkingDayCalendar({ builtin: { holidays: { '2030-05-01': 'x' }, workdays: {} } });
    expect(cal.coveredYears()).toEqual([2030]);
    expect(cal.sourceOf(2030)).toBe('built-in');
    expect(cal.isWorkingDay('2030-05-01')).toBe(false);
    expect(CHINESE_DAYS_DATA.source).toBe('chinese-days@1.5.7');
  });

  it('refuses inconsistent overrides', () => {
    const base = { holidays: [], workdays: [] };
    expect(() =>
      defaultWorkingDayCalendar([
        { ...base, year: 2027 },
        { ...base, year: 2027 },
      ]),
    ).toThrow(/twice/);
    expect(() => defaultWorkingDayCalendar([{ ...base, year: 2027, holidays: ['2028-01-01'] }])).toThrow(
      /not in 2027/,
    );
    expect(() =>
      defaultWorkingDayCalendar([{ year: 2027, holidays: ['2027-10-01'], workdays: ['2027-10-01'] }]),
    ).toThrow(/both/);
    expect(() => defaultWorkingDayCalendar([{ ...base, year: 2027, workdays: ['2027-9-26'] }])).toThrow(
      RangeError,
    );
    expect(() => defaultWorkingDayCalendar([{ ...base, year: 2027.5 }])).toThrow(RangeError);
  });

  it('isWorkingDay is fast (precomputed)', () => {
    const start = at(2026, 1, 1);
    let working = 0;
    const t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++)
      if (plain.isWorkingDay(start + (i % 365) * DAY_MS + 5 * MINUTE_MS)) working++;
    const elapsed = performance.now() - t0;
    expect(working).toBeGreaterThan(600_000);
    expect(elapsed).toBeLessThan(1_000);
  });
});
