/**
 * `realname backtest --policy candidate.yaml [--since ISO] [--json]` (R-RISK-1/2/3): replay every
 * recorded decision (risk_decisions: what each read, PII-free) under a candidate policy — the
 * preflight through `createPreflight`, then `assessRisk`, the very code path of a live start
 * (app/risk.ts `decideSnapshot`) — and report how many outcomes would change (allowed → refused or
 * held, and back), per cause: the blocker rules (by SPEC rule id), the risk score (R-RISK-1), each
 * abuse detector (R-RISK-2) and the AML hold (R-RISK-3), with example operations.
 *
 * A cause is what differs between the two decisions: for a decision that would now be refused or
 * held, the reasons the candidate has and the recorded decision had not (or all the candidate's,
 * when they are the same reasons); for one that would now go ahead, the recorded reasons that went.
 */
import { readFileSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { decideSnapshot } from '../../app/risk.js';
import type { Realname } from '../../main.js';
import { createRiskStore } from '../store/risk-store.js';
import type { WorkingDayCalendar } from '../../core/calendar.js';
import { loadPolicy, type Policy } from '../../core/policy/index.js';
import type { RiskEvaluation, RiskOutcome, RiskStore } from '../../core/ports.js';

/** A change of outcome, e.g. `allowed→refused`. */
export type Transition = `${RiskOutcome}→${RiskOutcome}`;

export interface BacktestCause {
  /** A SPEC rule id (`R-CHG-3`, `R-RISK-1` for the score, `R-RISK-3` for AML) or `detector:<id>`. */
  cause: string;
  kind: 'rule' | 'score' | 'detector' | 'aml';
  total: number;
  changes: Partial<Record<Transition, number>>;
  /** Up to 5 operation ids (or `decision:<id>` for a refused start, which has no operation). */
  examples: string[];
}

export interface BacktestReport {
  candidate: { name: string; version: string };
  /** The policy versions the recorded decisions were taken under. */
  recordedUnder: string[];
  since: number | null;
  replayed: number;
  changed: number;
  transitions: Partial<Record<Transition, number>>;
  causes: BacktestCause[];
}

const EXAMPLES = 5;
const BATCH = 500;

/** Read a policy document (YAML, or JSON by its extension) and load it: POLICY_INVALID names the bad path. */
export function readPolicyFile(file: string): Policy {
  const text = readFileSync(file, 'utf8');
  return loadPolicy(file.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown));
}

/** The reasons an evaluation did not let the request go ahead (none when it did). */
function reasonsOf(e: RiskEvaluation): Map<string, BacktestCause['kind']> {
  const out = new Map<string, BacktestCause['kind']>();
  if (e.outcome === 'allowed') return out;
  for (const b of e.blockers) out.set(b.rule, b.code.startsWith('RISK_') ? 'score' : 'rule');
  const a = e.assessment;
  if (e.outcome === 'held' && a) {
    if (a.because === 'abuse_detected')
      for (const d of a.detections) out.set(`detector:${d.detector}`, 'detector');
    else if (a.because === 'aml_hold') out.set('R-RISK-3', 'aml');
    else out.set('R-RISK-1', 'score');
  }
  return out;
}

/** What made the outcome change from `live` to `candidate` (see the module comment). */
export function causesOf(
  live: RiskEvaluation,
  candidate: RiskEvaluation,
): Map<string, BacktestCause['kind']> {
  const before = reasonsOf(live);
  const after = reasonsOf(candidate);
  const [from, to] = candidate.outcome === 'allowed' ? [after, before] : [before, after];
  const diff = new Map([...to].filter(([k]) => !from.has(k)));
  if (diff.size > 0) return diff;
  return to.size > 0 ? to : from;
}

/**
 * Replay the recorded decisions under `candidate`, oldest first, in batches.
 * @example const report = await backtest({ riskStore, calendar, candidate: readPolicyFile('candidate.yaml') });
 */
export async function backtest(
  deps: { riskStore: RiskStore; calendar: WorkingDayCalendar; candidate: Policy },
  opts: { since?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<BacktestReport> {
  const { riskStore, calendar, candidate } = deps;
  const since = opts.since;
  const total = await riskStore.countRiskDecisions(since === undefined ? {} : { since });
  const report: BacktestReport = {
    candidate: { name: candidate.name, version: candidate.version },
    recordedUnder: [],
    since: since ?? null,
    replayed: 0,
    changed: 0,
    transitions: {},
    causes: [],
  };
  const versions = new Set<string>();
  const causes = new Map<string, BacktestCause>();
  let afterId: number | null = null;
  for (;;) {
    const rows = await riskStore.riskDecisions({
      ...(since === undefined ? {} : { since }),
      afterId,
      limit: BATCH,
    });
    for (const row of rows) {
      versions.add(row.policyVersion);
      const { evaluation } = decideSnapshot(row.snapshot, candidate, calendar);
      report.replayed++;
      if (evaluation.outcome !== row.live.outcome) {
        report.changed++;
        const t: Transition = `${row.live.outcome}→${evaluation.outcome}`;
        report.transitions[t] = (report.transitions[t] ?? 0) + 1;
        const example = row.operationId ?? `decision:${row.id}`;
        for (const [cause, kind] of causesOf(row.live, evaluation)) {
          const c = causes.get(cause) ?? { cause, kind, total: 0, changes: {}, examples: [] };
          c.total++;
          c.changes[t] = (c.changes[t] ?? 0) + 1;
          if (c.examples.length < EXAMPLES) c.examples.push(example);
          causes.set(cause, c);
        }
      }
      opts.onProgress?.(report.replayed, Math.max(total, report.replayed));
    }
    const last = rows[rows.length - 1];
    if (rows.length < BATCH || !last) break;
    afterId = last.id;
  }
  report.recordedUnder = [...versions].sort();
  report.causes = [...causes.values()].sort((a, b) => b.total - a.total || (a.cause < b.cause ? -1 : 1));
  return report;
}

/** The report as text: totals, then one line per cause with its transitions and examples. */
export function formatBacktest(r: BacktestReport): string {
  const lines = [
    `backtest of ${r.candidate.name} (${r.candidate.version}) over ${r.replayed} recorded decision(s)` +
      `${r.since === null ? '' : ` since ${new Date(r.since).toISOString()}`}` +
      `${r.recordedUnder.length ? `, recorded under ${r.recordedUnder.join(', ')}` : ''}`,
    `${r.changed} would change${
      r.changed
        ? `: ${Object.entries(r.transitions)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}`
        : ''
    }`,
  ];
  if (r.causes.length) {
    lines.push('', 'by rule and detector:');
    for (const c of r.causes) {
      const changes = Object.entries(c.changes)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      lines.push(`  ${c.cause.padEnd(34)} ${String(c.total).padStart(6)}  ${changes}`);
      lines.push(`  ${''.padEnd(34)} ${''.padStart(6)}  e.g. ${c.examples.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** A progress bar on stderr for long histories (a terminal only; nothing in pipes and logs). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update(done: number, total: number): void;
  stop(): void;
} {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: 'backtest |{bar}| {value}/{total} decisions', hideCursor: true, stream },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * The `backtest` command; `open` builds the service the way the other commands do.
 * @example program.addCommand(backtestCommand(open));
 */
export function backtestCommand(open: () => Promise<Realname>): Command {
  return new Command('backtest')
    .description(
      'Replay the recorded risk decisions under a candidate policy: how many would change, per rule and detector (R-RISK-1/2/3)',
    )
    .requiredOption('--policy <file>', 'the candidate policy document (YAML, or JSON by its .json extension)')
    .option('--since <instant>', 'only decisions at or after this instant (ISO 8601)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { policy: string; since?: string; json?: boolean }) => {
      const since = opts.since === undefined ? undefined : Date.parse(opts.since);
      if (since !== undefined && !Number.isFinite(since))
        throw new Error(`--since: "${opts.since}" is not an ISO 8601 instant`);
      const candidate = readPolicyFile(opts.policy);
      const rn = await open();
      const bar = progressBar();
      try {
        const report = await backtest(
          { riskStore: createRiskStore({ store: rn.store }), calendar: rn.calendar, candidate },
          { ...(since === undefined ? {} : { since }), onProgress: (done, total) => bar.update(done, total) },
        );
        bar.stop();
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatBacktest(report));
      } finally {
        bar.stop();
        await rn.close();
      }
    });
}
