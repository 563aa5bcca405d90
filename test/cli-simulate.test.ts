/**
 * `realname simulate` (issue 6: the synthetic population), run as a real process through tsx like
 * test/cli.test.ts: JSON lines of the population, `--evaluate` with the same figures as the in-process
 * evaluation for the same seed, a candidate policy with `--policy`, and argument errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRealname } from './support/cli.js';
import { stringify } from 'yaml';
import { DEFAULT_POLICY, loadPolicy } from '../src/core/policy/index.js';
import { evaluatePopulation, simulateAccount } from '../src/core/risk/simulate.js';

let dir: string;

function realname(...args: string[]): { code: number; out: string; err: string } {
  return runRealname({ REALNAME_DATA_DIR: dir }, ...args);
}

describe('realname simulate', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'realname-sim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('R-RISK-2 R-RISK-3 --evaluate --json reports per route and on honest accounts, deterministically for a seed, as the in-process evaluation does', () => {
    const r = realname('simulate', '--accounts', '400', '--seed', '7', '--evaluate', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Record<string, unknown>;
    expect(report.command).toBe('realname simulate --accounts 400 --seed 7 --evaluate --json');
    const policy = loadPolicy();
    expect(report.policy).toEqual({ name: policy.name, version: policy.version });
    const { command: _c, policy: _p, ...figures } = report;
    expect(figures).toEqual(evaluatePopulation(400, { seed: 7 }, (region) => policy.rulesFor(region)));
    const again = realname('simulate', '--accounts', '400', '--seed', '7', '--evaluate', '--json');
    expect(again.out).toBe(r.out);
  });

  it('R-RISK-2 --evaluate prints a table: detection rate per route, false positives on honest accounts, decisions', () => {
    const r = realname('simulate', '--accounts', '1000', '--seed', '3', '--evaluate');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('1,000 simulated accounts (seed 3)');
    expect(r.out).toContain('command: realname simulate --accounts 1000 --seed 3 --evaluate');
    expect(r.out).toMatch(/stolen_account_appeal\s+\d+\s+\d+\s+\d+\.\d\d%/);
    expect(r.out).toMatch(/overseas_reregistration\s+\d+\s+\d+\s+\d+\.\d\d%/);
    expect(r.out).toMatch(/deliberate_failures\s+\d+\s+\d+\s+\d+\.\d\d%/);
    expect(r.out).toMatch(/aml \(R-RISK-3 hold\)\s+\d+\s+\d+\s+\d+\.\d\d%/);
    expect(r.out).toMatch(
      /honest accounts: [\d,]+; flagged \(review, deny or a detection\): [\d,]+ = \d+\.\d\d% false positives/,
    );
    expect(r.out).toMatch(/all decisions: allow [\d,]+, step_up [\d,]+, review [\d,]+, deny [\d,]+/);
  });

  it('without --evaluate it writes the population as JSON lines, the same accounts as simulateAccount', () => {
    const r = realname('simulate', '--accounts', '5', '--seed', '11');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    lines.forEach((line, i) => {
      expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(simulateAccount(i, { seed: 11 }))));
    });
  });

  it('R-RISK-3 --policy evaluates a candidate policy: with an AML threshold out of reach no mule is held', () => {
    const doc = structuredClone(DEFAULT_POLICY);
    doc.name = 'candidate-no-aml';
    doc.defaults.risk!.aml.threshold = 1_000_000_000 * 10_000;
    const file = join(dir, 'candidate.yaml');
    writeFileSync(file, stringify(doc));
    const r = realname(
      'simulate',
      '--accounts',
      '2000',
      '--seed',
      '5',
      '--evaluate',
      '--json',
      '--policy',
      file,
    );
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as {
      policy: { name: string };
      routes: { aml: { accounts: number; detected: number } };
    };
    expect(report.policy.name).toBe('candidate-no-aml');
    expect(report.routes.aml.accounts).toBeGreaterThan(0);
    expect(report.routes.aml.detected).toBe(0);
  });

  it('refuses a missing, zero or non-numeric --accounts, a bad --seed, and an invalid policy file', () => {
    const missing = realname('simulate');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("required option '--accounts <n>' not specified");
    const zero = realname('simulate', '--accounts', '0');
    expect(zero.code).toBe(1);
    expect(zero.err).toContain('--accounts must be a whole number from 1 to 10,000,000');
    expect(realname('simulate', '--accounts', 'many').code).toBe(1);
    const seed = realname('simulate', '--accounts', '5', '--seed', '-1');
    expect(seed.code).toBe(1);
    expect(seed.err).toContain('--seed must be a whole number');
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...DEFAULT_POLICY,
        defaults: { ...DEFAULT_POLICY.defaults, risk: { thresholds: {} } },
      }),
    );
    const bad = realname('simulate', '--accounts', '5', '--evaluate', '--policy', file);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('defaults.risk');
  });
});
