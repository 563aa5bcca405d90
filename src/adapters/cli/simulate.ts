/**
 * `realname simulate --accounts N [--seed S] [--evaluate] [--json] [--policy file] [--load]` — the
 * synthetic population of src/core/risk/simulate.ts (issue 6): as JSON lines on stdout for demos
 * and benchmarks; with `--evaluate`, assessed in memory by the same pure `assessRisk` the service
 * runs, reporting per abuse route the detection rate and on honest accounts the false-positive rate
 * (R-RISK-1/2/3); with `--load`, written into the store with realistic facts (load.ts), for the
 * scale benchmark and for trying the service on a large population. Without `--load` nothing is
 * written anywhere but stdout and stderr.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { parse as parseYaml } from 'yaml';
import { loadPolicy, type Policy } from '../../core/policy/index.js';
import { RISK_DECISIONS } from '../../core/risk/index.js';
import { SIM_LABELS, createEvaluation, simulateAccount, type SimReport } from '../../core/risk/simulate.js';
import { assessRisk } from '../../core/risk/index.js';
import type { Realname } from '../../main.js';
import { loadPopulation, loadProgress } from './load.js';

export interface SimulateOptions {
  accounts: number;
  seed: number;
  evaluate?: boolean;
  load?: boolean;
  batch?: number;
  json?: boolean;
  policy?: string;
}

function positiveInt(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max.toLocaleString('en')}.`);
    return n;
  };
}

function seedOf(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff)
    throw new InvalidArgumentError('--seed must be a whole number from 0 to 4294967295.');
  return n;
}

function readPolicy(file: string | undefined): Policy {
  if (!file) return loadPolicy();
  const text = readFileSync(file, 'utf8');
  return loadPolicy(file.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown));
}

function progressBar(total: number, title: string): { update(done: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: `${title} |{bar}| {value}/{total} accounts, {eta_formatted} left`, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  let running = true;
  return {
    update: (done) => {
      if (running && (done % 1000 === 0 || done === total)) bar.update(done);
    },
    stop: () => {
      if (running) bar.stop();
      running = false;
    },
  };
}

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const num = (n: number) => n.toLocaleString('en');

/** The report as a reader wants it: one line per route, then the honest accounts. */
export function formatReport(report: SimReport, policy: Policy, command: string): string {
  const lines: string[] = [];
  lines.push(
    `${num(report.accounts)} simulated accounts (seed ${report.seed}), assessed by assessRisk under policy ${policy.name} (${policy.version})`,
  );
  lines.push(`command: ${command}`);
  lines.push('');
  lines.push(
    `${'route'.padEnd(26)}${'accounts'.padStart(10)}${'detected'.padStart(10)}${'rate'.padStart(9)}`,
  );
  for (const label of SIM_LABELS) {
    if (label === 'honest') continue;
    const r = report.routes[label];
    const name =
      label === 'aml' ? 'aml (R-RISK-3 hold)' : label === 'takeover' ? 'takeover (not allowed)' : label;
    lines.push(
      `${name.padEnd(26)}${num(r.accounts).padStart(10)}${num(r.detected).padStart(10)}${pct(r.detectionRate).padStart(9)}`,
    );
  }
  lines.push('  misses by variant:');
  for (const label of SIM_LABELS) {
    if (label === 'honest') continue;
    const missed = Object.entries(report.routes[label].variants)
      .filter(([, v]) => v.detected < v.accounts)
      .map(([k, v]) => `${k} ${num(v.accounts - v.detected)}/${num(v.accounts)}`);
    if (missed.length) lines.push(`    ${label}: ${missed.join(', ')}`);
  }
  const h = report.honest;
  lines.push('');
  lines.push(
    `honest accounts: ${num(h.accounts)}; flagged (review, deny or a detection): ${num(h.flagged)} = ${pct(h.falsePositiveRate)} false positives` +
      ` (${pct(h.falsePositiveRateWithoutAml)} without the AML holds R-RISK-3 makes by rule)`,
  );
  lines.push(
    `  by cause: ${Object.entries(h.byCause)
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ')}`,
  );
  const flaggedVariants = Object.entries(h.variants)
    .filter(([, v]) => v.flagged > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${num(v.flagged)}/${num(v.accounts)}`);
  if (flaggedVariants.length) lines.push(`  flagged by variant: ${flaggedVariants.join(', ')}`);
  lines.push(`  honest decisions: ${RISK_DECISIONS.map((d) => `${d} ${num(h.decisions[d])}`).join(', ')}`);
  lines.push(`all decisions: ${RISK_DECISIONS.map((d) => `${d} ${num(report.decisions[d])}`).join(', ')}`);
  return lines.join('\n');
}

/** Stdout as a sink that may go away (`realname simulate … | head`): EPIPE ends the output quietly. */
function stdoutSink(): { write(lines: string[]): Promise<boolean> } {
  let open = true;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    open = false;
  };
  process.stdout.on('error', onError);
  return {
    async write(lines) {
      if (!open) return false;
      if (!process.stdout.write(lines.join(''))) {
        try {
          await once(process.stdout, 'drain');
        } catch {
          open = false;
        }
      }
      return open;
    },
  };
}

/** Run `simulate` (exported for the CLI entry; prints to stdout, progress to stderr). */
export async function runSimulate(opts: SimulateOptions, command: string): Promise<void> {
  const policy = readPolicy(opts.policy);
  const options = { seed: opts.seed };
  const bar = progressBar(opts.accounts, opts.evaluate ? 'assessing' : 'generating');
  try {
    if (!opts.evaluate) {
      // The listener stays for the life of the process: a late EPIPE is still the reader leaving.
      const sink = stdoutSink();
      let chunk: string[] = [];
      for (let i = 0; i < opts.accounts; i++) {
        chunk.push(`${JSON.stringify(simulateAccount(i, options))}\n`);
        if (chunk.length === 500) {
          if (!(await sink.write(chunk))) return;
          chunk = [];
        }
        bar.update(i + 1);
      }
      if (chunk.length) await sink.write(chunk);
      return;
    }
    const evaluation = createEvaluation(opts.seed);
    for (let i = 0; i < opts.accounts; i++) {
      const account = simulateAccount(i, options);
      evaluation.add(account, assessRisk(account.input, policy.rulesFor(account.region)));
      bar.update(i + 1);
    }
    bar.stop();
    const report = evaluation.report();
    if (opts.json) {
      console.log(
        JSON.stringify(
          { command, policy: { name: policy.name, version: policy.version }, ...report },
          null,
          2,
        ),
      );
    } else {
      console.log(formatReport(report, policy, command));
    }
  } finally {
    bar.stop();
  }
}

/** The `simulate` command, for `buildCli()`; `open` builds the service for `--load`. */
export function simulateCommand(open: () => Promise<Realname>): Command {
  return new Command('simulate')
    .description(
      'Generate a synthetic population (honest users, the three abuse routes, AML mules, takeovers, minors, enterprises, regions), deterministic for a seed: JSON lines on stdout, or --evaluate to report detection and false-positive rates (R-RISK-1/2/3)',
    )
    .addOption(
      new Option('--accounts <n>', 'how many accounts')
        .argParser(positiveInt('--accounts', 10_000_000))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--seed <s>', 'the seed (same seed, same population)').argParser(seedOf).default(42),
    )
    .option('--evaluate', 'assess every account in memory and report per route and on honest accounts')
    .option(
      '--load',
      'write the population into the store (REALNAME_DATABASE_URL or the embedded one): identities, facts, history, risk events; resumable',
    )
    .addOption(
      new Option('--batch <n>', 'with --load: accounts per transaction')
        .argParser(positiveInt('--batch', 20_000))
        .default(1_000),
    )
    .option('--json', 'with --evaluate: the report as JSON')
    .option('--policy <file>', 'assess under this policy document (YAML or JSON) instead of the default')
    .action(async (opts: SimulateOptions) => {
      if (opts.load && opts.evaluate)
        throw new InvalidArgumentError('--load and --evaluate do not go together.');
      if (opts.load) {
        const rn = await open();
        const bar = loadProgress(opts.accounts);
        try {
          const r = await loadPopulation(rn, opts, (done) => bar.update(done));
          bar.stop();
          console.log(
            `simulate --load: ${num(r.created)} accounts written, ${num(r.existing)} already there, ` +
              `in ${r.seconds.toFixed(1)} s (${num(Math.round((r.created + r.existing) / (r.seconds || 1)))} accounts/s), seed ${opts.seed}`,
          );
        } finally {
          bar.stop();
          await rn.close();
        }
        return;
      }
      const command = [
        'realname simulate',
        `--accounts ${opts.accounts}`,
        `--seed ${opts.seed}`,
        ...(opts.evaluate ? ['--evaluate'] : []),
        ...(opts.json ? ['--json'] : []),
        ...(opts.policy ? [`--policy ${opts.policy}`] : []),
      ].join(' ');
      await runSimulate(opts, command);
    });
}
