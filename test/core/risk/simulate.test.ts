/**
 * The synthetic population (issue 6 item 6): deterministic for a seed, realistic (every region,
 * minors, enterprises, the three R-RISK-2 routes, AML mules, takeovers, catalogue codes only), and its
 * evaluation runs the same pure assessRisk the service runs.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/core/errors/index.js';
import { validateDocument } from '../../../src/core/document-number.js';
import { REGIONS, type Region } from '../../../src/core/model.js';
import { assessRisk } from '../../../src/core/risk/index.js';
import {
  SIM_DEFAULT_NOW,
  SIM_LABELS,
  createEvaluation,
  evaluatePopulation,
  mulberry32,
  simulateAccount,
  simulatePopulation,
  type SimAccount,
} from '../../../src/core/risk/simulate.js';
import { policy } from '../../support/risk.js';

const rulesFor = (region: Region) => policy.rulesFor(region);
const population = (n: number, seed: number) => [...simulatePopulation(n, { seed })];

describe('simulate: a deterministic synthetic population (R-RISK-1/2/3)', () => {
  it('mulberry32 is a deterministic PRNG in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 1_000 }, () => a());
    expect(Array.from({ length: 1_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1_000);
    expect(mulberry32(124)()).not.toBe(xs[0]);
  });

  it('the same seed gives the same accounts; account i does not depend on N; another seed gives others', () => {
    const a = population(50, 42);
    expect(population(50, 42)).toEqual(a);
    expect(population(20, 42)).toEqual(a.slice(0, 20));
    expect(simulateAccount(37, { seed: 42 })).toEqual(a[37]);
    const b = population(50, 43);
    expect(b.filter((x, i) => JSON.stringify(x) === JSON.stringify(a[i]))).toEqual([]);
  });

  it('the population holds every label, every region, minors and enterprise-linked accounts, binds and every route variant', () => {
    const accounts = population(6_000, 1);
    const labels = new Set(accounts.map((a) => a.label));
    expect([...labels].sort()).toEqual([...SIM_LABELS].sort());
    expect(new Set(accounts.map((a) => a.region))).toEqual(new Set(REGIONS));
    expect(accounts.some((a) => a.minor)).toBe(true);
    expect(accounts.some((a) => a.enterprise)).toBe(true);
    expect(accounts.some((a) => a.input.request.kind === 'identity.bind')).toBe(true);
    const honest = accounts.filter((a) => a.label === 'honest').length / accounts.length;
    expect(honest).toBeGreaterThan(0.85);
    expect(honest).toBeLessThan(0.93);
    // Honest look-alikes of each route are there.
    const variants = new Set(accounts.filter((a) => a.label === 'honest').map((a) => a.variant));
    for (const v of [
      'theft_victim',
      'theft_victim_thief_stopped',
      'theft_victim_thief_hit_limit',
      'overseas_user_new',
      'overseas_user_new_old_account_refused',
      'code_mistyper',
      'code_mistyper_burst',
      'persistent_retrier',
      'large_inflow',
      'traveller',
      'returning_user',
    ])
      expect(variants).toContain(v);
  });

  it('histories are realistic: catalogue codes only, nothing after now, frozen accounts appeal, well-formed fictional documents', () => {
    const codes = new Set(Object.keys(CATALOGUE));
    const check = (a: SimAccount) => {
      const { facts, history, request, now } = a.input;
      expect(now).toBe(SIM_DEFAULT_NOW);
      expect(facts.account.createdAt).toBeLessThanOrEqual(now);
      for (const r of history.refusals) {
        for (const c of r.codes) expect(codes).toContain(c);
        expect(r.at).toBeLessThanOrEqual(now);
      }
      for (const list of [
        history.failedVerifications,
        history.appeals,
        history.inflows,
        history.phoneCountryChanges,
      ])
        for (const e of list) expect(e.at).toBeLessThanOrEqual(now);
      for (const l of facts.logins) expect(l.at).toBeLessThanOrEqual(now);
      for (const d of facts.devices) expect(d.addedAt).toBeLessThanOrEqual(now);
      expect(facts.identity?.verifiedAt ?? now).toBeLessThanOrEqual(now);
      for (const i of history.inflows) expect(Number.isInteger(i.amount) && i.amount >= 0).toBe(true);
      if (request.kind === 'appeal.submit') expect(facts.account.status).toBe('frozen');
      if (request.kind === 'realname.change' && request.newDocument) {
        const d = request.newDocument;
        if (d.type === 'cn_id') expect(validateDocument(d.type, d.number)).toMatchObject({ ok: true });
      }
      expect(facts.account.phoneMasked).toMatch(/^\+\d{1,4} \d{3}\*{4}\d{4}$/);
      expect(facts.account.phoneMasked.startsWith(`+${history.phoneCountry} `)).toBe(true);
    };
    for (const a of simulatePopulation(3_000, { seed: 9 })) check(a);
  });

  it('the evaluation runs assessRisk on every account: counts add up, rates are within [0, 1], and it matches a manual run', () => {
    const n = 3_000;
    const report = evaluatePopulation(n, { seed: 7 }, rulesFor);
    expect(report.accounts).toBe(n);
    const routeAccounts = Object.values(report.routes).reduce((s, r) => s + r.accounts, 0);
    expect(routeAccounts + report.honest.accounts).toBe(n);
    expect(Object.values(report.decisions).reduce((s, x) => s + x, 0)).toBe(n);
    for (const r of Object.values(report.routes)) {
      expect(r.detected).toBeLessThanOrEqual(r.accounts);
      expect(r.detectionRate).toBe(r.detected / r.accounts);
      expect(Object.values(r.variants).reduce((s, v) => s + v.accounts, 0)).toBe(r.accounts);
    }
    const h = report.honest;
    expect(h.falsePositiveRate).toBe(h.flagged / h.accounts);
    expect(h.flaggedWithoutAml).toBeLessThanOrEqual(h.flagged);

    const manual = createEvaluation(7);
    for (const a of simulatePopulation(n, { seed: 7 }))
      manual.add(a, assessRisk(a.input, rulesFor(a.region)));
    expect(manual.report()).toEqual(report);
  });

  it('R-RISK-2 R-RISK-3 on 5,000 accounts every route is mostly detected and honest accounts are rarely flagged — but sometimes are', () => {
    const report = evaluatePopulation(5_000, { seed: 2026 }, rulesFor);
    for (const label of [
      'stolen_account_appeal',
      'overseas_reregistration',
      'deliberate_failures',
      'aml',
      'takeover',
    ] as const)
      expect(report.routes[label].detectionRate).toBeGreaterThan(0.6);
    // The look-alikes make the false-positive rate a real number, not 0 by construction.
    expect(report.honest.flagged).toBeGreaterThan(0);
    expect(report.honest.falsePositiveRate).toBeLessThan(0.05);
    // A theft victim whose thief was only stopped by the intruder protections is (almost) never flagged.
    const stopped = report.honest.variants.theft_victim_thief_stopped!;
    expect(stopped.flagged / stopped.accounts).toBeLessThan(0.1);
    expect(report.honest.variants.theft_victim!.flagged).toBe(0);
    expect(report.honest.variants.overseas_user_new!.flagged).toBe(0);
    expect(report.honest.variants.code_mistyper!.flagged).toBe(0);
  });

  it('a report is a snapshot: adding accounts afterwards does not change it', () => {
    const ev = createEvaluation(1);
    const a = simulateAccount(0, { seed: 1 });
    ev.add(a, assessRisk(a.input, rulesFor(a.region)));
    const first = ev.report();
    ev.add(a, assessRisk(a.input, rulesFor(a.region)));
    expect(first.accounts).toBe(1);
    expect(ev.report().accounts).toBe(2);
  });
});
