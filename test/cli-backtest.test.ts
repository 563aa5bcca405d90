/**
 * `realname backtest` (R-RISK-1/2/3), run as a real process (through tsx) over a small decision
 * history recorded by the service in-process under a strict live policy: replayed under a candidate
 * policy it reports, per rule and detector, the decisions that would change, both ways, with
 * example operations; replayed under the live policy itself, nothing changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRealname } from './support/cli.js';
import { DEFAULT_POLICY } from '../src/core/policy/index.js';
import { startService, verifiedCode, type ServiceHome } from './support/service.js';

const YUAN = 10_000;
let dir: string;
let home: ServiceHome;
let live: string;
let candidate: string;
const ids: { relaxed?: string; held?: string } = {};

type RiskSection = Record<string, unknown>;

function policyFile(name: string, change: (risk: RiskSection) => void): string {
  const doc = structuredClone(DEFAULT_POLICY) as unknown as { name: string; defaults: { risk: RiskSection } };
  doc.name = name;
  change(doc.defaults.risk);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function realname(...args: string[]): { code: number; out: string; err: string } {
  return runRealname({ REALNAME_DATA_DIR: home.dir, REALNAME_MASTER_KEY: home.masterKey }, ...args);
}

describe('realname backtest', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'realname-backtest-'));
    // live: a strict score threshold (one signal steps up); candidate: the default thresholds, and an
    // AML threshold of ¥1 (R-RISK-3)
    live = policyFile('live-strict', (risk) => (risk.thresholds = { stepUp: 10, review: 50, deny: 80 }));
    candidate = policyFile('candidate', (risk) => (risk.aml = { windowDays: 7, threshold: 1 * YUAN }));
    const s = await startService('sqlite', { REALNAME_POLICY_FILE: live });
    const create = (id: string) =>
      s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } });
    // refused by the strict live score (an abnormal login), allowed by the candidate
    await create('acc_bt_abnormal');
    await s.call('PUT', '/v1/accounts/acc_bt_abnormal/logins/l1', {
      body: { at: s.clock.now(), deviceId: 'dev_1', abnormal: true },
    });
    const refused = await s.call('POST', '/v1/accounts/acc_bt_abnormal/operations/data-export', { body: {} });
    expect(refused.body.blockers[0].code).toBe('RISK_STEP_UP_REQUIRED');
    // allowed live, held by the candidate's AML threshold
    await create('acc_bt_inflow');
    await s.call('POST', '/v1/accounts/acc_bt_inflow/transactions', {
      body: { kind: 'receive', amount: 100 * YUAN, status: 'completed' },
    });
    const deletion = await s.call('POST', '/v1/accounts/acc_bt_inflow/operations/deletion', {
      body: {
        evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, 'acc_bt_inflow', 'account.delete') }],
      },
    });
    expect(deletion.body.state).toBe('cooling_off');
    ids.held = deletion.body.id as string;
    // refused by the preflight under both; allowed under both
    await create('acc_bt_balance');
    await s.call('PATCH', '/v1/accounts/acc_bt_balance', { body: { balance: 5 * YUAN } });
    await s.call('POST', '/v1/accounts/acc_bt_balance/operations/deletion', { body: {} });
    await create('acc_bt_clean');
    expect(
      (await s.call('POST', '/v1/accounts/acc_bt_clean/operations/data-export', { body: {} })).status,
    ).toBe(202);
    const recorded = await s.call('GET', '/v1/admin/risk/decisions?accountId=acc_bt_abnormal');
    ids.relaxed = `decision:${recorded.body.items[0].id}`;
    home = s.home;
    await s.stop(true);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('R-RISK-1 R-RISK-3 reports per rule the decisions a candidate policy would change, both ways, with examples', () => {
    const r = realname('backtest', '--policy', candidate, '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({
      candidate: { name: 'candidate', version: expect.stringMatching(/^sha256:/) },
      recordedUnder: [expect.stringMatching(/^sha256:/)],
      replayed: 4,
      changed: 2,
      transitions: { 'refused→allowed': 1, 'allowed→held': 1 },
    });
    expect(report.causes).toEqual(
      expect.arrayContaining([
        {
          cause: 'R-RISK-1',
          kind: 'score',
          total: 1,
          changes: { 'refused→allowed': 1 },
          examples: [ids.relaxed],
        },
        { cause: 'R-RISK-3', kind: 'aml', total: 1, changes: { 'allowed→held': 1 }, examples: [ids.held] },
      ]),
    );
    expect(report.causes).toHaveLength(2);

    const text = realname('backtest', '--policy', candidate);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('over 4 recorded decision(s)');
    expect(text.out).toContain('2 would change: refused→allowed 1, allowed→held 1');
    expect(text.out).toMatch(/R-RISK-3\s+1\s+allowed→held 1/);
    expect(text.out).toContain(`e.g. ${ids.held}`);
  });

  it('R-RISK-1 replayed under the policy that decided them, no decision changes; --since narrows the history', () => {
    const same = realname('backtest', '--policy', live, '--json');
    expect(same.code, same.err).toBe(0);
    expect(JSON.parse(same.out)).toMatchObject({ replayed: 4, changed: 0, transitions: {}, causes: [] });
    const none = realname('backtest', '--policy', candidate, '--since', '2100-01-01T00:00:00Z', '--json');
    expect(JSON.parse(none.out)).toMatchObject({
      replayed: 0,
      changed: 0,
      since: Date.parse('2100-01-01T00:00:00Z'),
    });
  });

  it('refuses an invalid candidate policy naming the bad path, and a bad --since', () => {
    const bad = join(dir, 'bad.json');
    const doc = structuredClone(DEFAULT_POLICY) as unknown as { defaults: { risk: { thresholds: object } } };
    doc.defaults.risk.thresholds = { stepUp: 60, review: 50, deny: 80 };
    writeFileSync(bad, JSON.stringify(doc));
    const r = realname('backtest', '--policy', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('defaults.risk.thresholds');
    const since = realname('backtest', '--policy', candidate, '--since', 'last week');
    expect(since.code).toBe(1);
    expect(since.err).toContain('--since');
  });
});
