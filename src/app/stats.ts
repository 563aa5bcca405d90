/**
 * The operators' dashboard (review console): operations by kind and outcome, and the refusal codes
 * users were shown, most frequent first and day by day (Asia/Shanghai calendar days). The source
 * documents report a success rate under 35% mostly from one cause users were never told about
 * (R-UX-1): this is where such a cause shows. Everything here is a count of codes and kinds.
 */
import { dayKey, startOfDayKey } from '../core/calendar.js';
import { DAY_MS } from '../core/clock.js';
import { CATALOGUE, isCode } from '../core/errors/index.js';
import { localizedRemediation, type Localized, type Params } from '../core/errors/render.js';
import type { StatsStore } from '../core/ports.js';
import type { AppDeps } from './deps.js';

/** How many codes the dashboard ranks. */
export const TOP_CODES = 10;

export interface Dashboard {
  /** The window: whole Shanghai days, the last one being today. */
  from: number;
  to: number;
  days: number;
  /** Operations created in the window by kind and outcome (`running` while not ended). */
  operations: { kind: string; outcome: string; count: number }[];
  /**
   * Starts asked for per kind: those that went ahead (an operation was created) and those refused;
   * `successRate` is started / (started + refused), null when nothing was asked.
   */
  attempts: { kind: string; started: number; refused: number; successRate: number | null }[];
  /** Refused starts in the window, and the codes counted once per refusal, most frequent first. */
  refusals: number;
  topCodes: {
    code: string;
    rule: string | null;
    count: number;
    /** Of the refused starts, the share that carried this code (0–1). */
    share: number;
    /** What the user was told to do (the code's remediation, without its particulars). */
    remediation: Localized | null;
  }[];
  /** One entry per day of the window, oldest first: refusals, and the top codes' counts that day. */
  byDay: { day: string; refusals: number; codes: Record<string, number> }[];
}

/** Every placeholder of a template reads as an ellipsis: the remediation without its particulars. */
const ANY_PARAM: Params = new Proxy({}, { get: (_t, key) => (typeof key === 'string' ? '…' : undefined) });

/** Days the dashboard may cover. */
export const MAX_DASHBOARD_DAYS = 366;

export function createStatsService(deps: Pick<AppDeps, 'clock'> & { stats: StatsStore }) {
  const { clock, stats } = deps;
  return {
    /**
     * The dashboard over the last `days` Shanghai days, today included.
     * @example (await statsService.dashboard({ days: 30 })).topCodes[0] // { code: 'BALANCE_RESIDUE', count: 61, share: 0.6, … }
     */
    async dashboard(opts: { days: number }): Promise<Dashboard> {
      const now = clock.now();
      const days = Math.min(Math.max(1, Math.trunc(opts.days)), MAX_DASHBOARD_DAYS);
      const today = startOfDayKey(dayKey(now));
      const from = startOfDayKey(dayKey(today - (days - 1) * DAY_MS));
      const to = now + 1;
      const [counts, refused] = await Promise.all([
        stats.operationCounts(from, to),
        stats.refusals(from, to),
      ]);

      const operations = counts
        .map((c) => ({ kind: c.kind, outcome: c.outcome ?? 'running', count: c.count }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count);

      const started = new Map<string, number>();
      for (const c of counts) started.set(c.kind, (started.get(c.kind) ?? 0) + c.count);
      const refusedByKind = new Map<string, number>();
      const byCode = new Map<string, number>();
      const perDay = new Map<string, { refusals: number; codes: Map<string, number> }>();
      for (const r of refused) {
        refusedByKind.set(r.kind, (refusedByKind.get(r.kind) ?? 0) + 1);
        const day = dayKey(r.at);
        let d = perDay.get(day);
        if (!d) perDay.set(day, (d = { refusals: 0, codes: new Map() }));
        d.refusals++;
        // A refusal with two subscriptions carries the code twice: it counts once (as the metric does).
        for (const code of new Set(r.codes)) {
          byCode.set(code, (byCode.get(code) ?? 0) + 1);
          d.codes.set(code, (d.codes.get(code) ?? 0) + 1);
        }
      }
      const attempts = [...new Set([...started.keys(), ...refusedByKind.keys()])].sort().map((kind) => {
        const s = started.get(kind) ?? 0;
        const f = refusedByKind.get(kind) ?? 0;
        return { kind, started: s, refused: f, successRate: s + f === 0 ? null : s / (s + f) };
      });
      const topCodes = [...byCode.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, TOP_CODES)
        .map(([code, count]) => {
          const known = isCode(code) ? code : null;
          return {
            code,
            rule: known ? ((CATALOGUE[known] as { rule?: string }).rule ?? null) : null,
            count,
            share: refused.length === 0 ? 0 : count / refused.length,
            remediation: known ? (localizedRemediation(known, ANY_PARAM) ?? null) : null,
          };
        });
      const top = new Set(topCodes.map((c) => c.code));
      const byDay: Dashboard['byDay'] = [];
      for (let t = from; t < to; t += DAY_MS) {
        const day = dayKey(t);
        const d = perDay.get(day);
        const codes: Record<string, number> = {};
        for (const [code, n] of d?.codes ?? []) if (top.has(code)) codes[code] = n;
        byDay.push({ day, refusals: d?.refusals ?? 0, codes });
      }
      return { from, to, days, operations, attempts, refusals: refused.length, topCodes, byDay };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
