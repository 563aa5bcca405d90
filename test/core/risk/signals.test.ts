/**
 * R-RISK-1 signals: each one at and past its window boundary (an event exactly `windowDays` ago has
 * aged out, one a millisecond younger counts), at and under its `atLeast`, and what it ignores.
 */
import { describe, expect, it } from 'vitest';
import {
  computeSignals,
  REGISTRATION_DEVICE_GRACE_MS,
  type RiskInput,
  type SignalId,
} from '../../../src/core/risk/index.js';
import {
  assess,
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  NOON,
  RISK,
  riskInput,
  signal,
  YUAN,
} from '../../support/risk.js';

/** Put `n` events of the signal at `at` into an input (for large_inflows, one inflow of `n`). */
const PUT: Record<SignalId, (input: RiskInput, at: number, n: number) => void> = {
  device_change_recent: (i, at, n) => {
    for (let k = 0; k < n; k++)
      i.facts.devices.push({
        id: `dev_new_${k}`,
        platform: 'ios',
        osVersion: '18.1',
        primary: false,
        addedAt: at,
      });
  },
  abnormal_logins: (i, at, n) => {
    for (let k = 0; k < n; k++) i.facts.logins.push({ at, deviceId: 'dev_primary', abnormal: true });
  },
  identity_changed_recently: (i, at, n) => {
    for (let k = 0; k < n; k++) i.facts.history.realnameChanges.push({ at: at - k });
  },
  failed_attempts_account: (i, at, n) => {
    for (let k = 0; k < n; k++) i.history.failedVerifications.push({ at, purpose: 'card.unbind:card_1' });
  },
  failed_attempts_document: (i, at, n) => {
    for (let k = 0; k < n; k++) i.history.failedVerifications.push({ at, purpose: 'realname.revoke' });
  },
  document_velocity: (i, at, n) => {
    i.history.documentAccounts.push({
      alias: 'doc_acc_1',
      createdAt: NOON - 2_000 * DAY_MS,
      phoneCountry: '86',
      operations: Array.from({ length: n }, () => ({ at, kind: 'realname.change' as const, refused: false })),
      failedVerifications: 0,
    });
  },
  phone_country_changed: (i, at, n) => {
    for (let k = 0; k < n; k++) i.history.phoneCountryChanges.push({ at, from: '86', to: '852' });
  },
  large_inflows: (i, at, n) => {
    i.history.inflows.push({ at, amount: n });
  },
  appeal_after_refusal: (i, at, n) => {
    // An appeal at `at`, an hour after a refused change (the appeal is in the window, or not).
    for (let k = 0; k < n; k++) {
      i.history.refusals.push({
        at: at - HOUR_MS,
        kind: 'realname.change',
        codes: ['REALNAME_CHANGE_TOO_SOON'],
      });
      i.history.appeals.push({ at, claim: 'other' });
    }
  },
};

function measure(id: SignalId, at: number, n: number) {
  const input = riskInput();
  PUT[id](input, at, n);
  return signal(assess(input), id);
}

describe('R-RISK-1 signals at their window boundaries', () => {
  for (const id of Object.keys(PUT) as SignalId[]) {
    const { weight, windowDays, atLeast } = RISK.signals[id];
    const edge = NOON - windowDays * DAY_MS;

    it(`R-RISK-1 ${id}: fires with ${atLeast} within ${windowDays} days (1 ms inside), adding its weight ${weight}`, () => {
      const s = measure(id, edge + 1, atLeast);
      expect(s.value).toBe(atLeast);
      expect(s.weight).toBe(weight);
      expect(s.contribution).toBe(weight);
    });

    it(`R-RISK-1 ${id}: an event exactly ${windowDays} days ago has aged out`, () => {
      const s = measure(id, edge, atLeast);
      expect(s.value).toBe(0);
      expect(s.contribution).toBe(0);
    });

    it(`R-RISK-1 ${id}: an event in the future is not counted`, () => {
      expect(measure(id, NOON + MINUTE_MS, atLeast).contribution).toBe(0);
    });

    if (atLeast > 1) {
      it(`R-RISK-1 ${id}: ${atLeast - 1} (one under atLeast) does not fire`, () => {
        const s = measure(id, NOON - HOUR_MS, atLeast - 1);
        expect(s.value).toBe(atLeast - 1);
        expect(s.contribution).toBe(0);
      });
    }
  }

  it('R-RISK-1 a clean account fires no signal and scores 0', () => {
    const a = assess(riskInput());
    expect(a.signals.map((s) => s.id)).toEqual([
      'device_change_recent',
      'abnormal_logins',
      'identity_changed_recently',
      'failed_attempts_account',
      'failed_attempts_document',
      'document_velocity',
      'phone_country_changed',
      'large_inflows',
      'appeal_after_refusal',
    ]);
    expect(a.signals.every((s) => s.contribution === 0)).toBe(true);
    expect(a.score).toBe(0);
    expect(a.decision).toBe('allow');
  });
});

describe('R-RISK-1 what each signal measures', () => {
  it('R-RISK-1 device_change_recent: the registration device of a new account is not a change', () => {
    const input = riskInput({ kind: 'identity.bind' });
    input.facts.account.createdAt = NOON - 2 * DAY_MS;
    input.facts.devices = [
      {
        id: 'dev_1',
        platform: 'ios',
        primary: true,
        addedAt: input.facts.account.createdAt + REGISTRATION_DEVICE_GRACE_MS,
      },
    ];
    expect(signal(assess(input), 'device_change_recent').value).toBe(0);
    input.facts.devices[0]!.addedAt += 1;
    const s = signal(assess(input), 'device_change_recent');
    expect(s.value).toBe(1);
    expect(s.detail).toEqual({ hoursSinceChange: 46, primary: true });
  });

  it('R-RISK-1 identity_changed_recently: the identity changedAt counts once, with or without its history entry', () => {
    const input = riskInput();
    const at = NOON - 10 * DAY_MS;
    input.facts.identity!.changedAt = at;
    expect(signal(assess(input), 'identity_changed_recently').value).toBe(1);
    input.facts.history.realnameChanges.push({ at });
    expect(signal(assess(input), 'identity_changed_recently').value).toBe(1);
  });

  it('R-RISK-1 failed_attempts_document: this account within the window plus the other accounts of the document', () => {
    const input = riskInput();
    input.history.failedVerifications.push(
      { at: NOON - HOUR_MS, purpose: 'realname.revoke' },
      { at: NOON - 8 * DAY_MS, purpose: 'realname.revoke' },
    );
    input.history.documentAccounts.push(
      {
        alias: 'doc_acc_1',
        createdAt: NOON - 900 * DAY_MS,
        phoneCountry: '86',
        operations: [],
        failedVerifications: 3,
      },
      {
        alias: 'doc_acc_2',
        createdAt: NOON - 800 * DAY_MS,
        phoneCountry: '852',
        operations: [],
        failedVerifications: 1,
      },
    );
    const s = signal(assess(input), 'failed_attempts_document');
    expect(s.value).toBe(5);
    expect(s.contribution).toBe(RISK.signals.failed_attempts_document.weight);
    expect(s.detail).toEqual({ own: 1, otherAccounts: 4, accounts: 2 });
  });

  it("R-RISK-1 document_velocity: registrations of the document's other accounts count like operations", () => {
    const input = riskInput({ kind: 'identity.bind' });
    for (let k = 0; k < 3; k++) {
      input.history.documentAccounts.push({
        alias: `doc_acc_${k}`,
        createdAt: NOON - (5 + k) * DAY_MS,
        phoneCountry: '86',
        operations: [],
        failedVerifications: 0,
      });
    }
    const s = signal(assess(input), 'document_velocity');
    expect(s.value).toBe(3);
    expect(s.detail).toEqual({ registrations: 3, operations: 0, refused: 0, accounts: 3 });
  });

  it('R-RISK-1 large_inflows: the amount within the window, at and under the threshold', () => {
    const atLeast = RISK.signals.large_inflows.atLeast;
    const input = riskInput();
    input.history.inflows.push(
      { at: NOON - DAY_MS, amount: atLeast - 1 * YUAN },
      { at: NOON - 9 * DAY_MS, amount: 5 * YUAN },
    );
    expect(signal(assess(input), 'large_inflows')).toMatchObject({ value: atLeast - YUAN, contribution: 0 });
    input.history.inflows.push({ at: NOON - 2 * DAY_MS, amount: YUAN });
    expect(signal(assess(input), 'large_inflows')).toMatchObject({ value: atLeast, detail: { inflows: 2 } });
  });

  it('R-RISK-1 appeal_after_refusal: the appeal being submitted, 7 days minus 1 ms after a refused change, fires; 7 days does not', () => {
    const days = RISK.signals.appeal_after_refusal.windowDays;
    const input = riskInput({ kind: 'appeal.submit' });
    input.appealClaim = 'other';
    input.history.refusals.push({
      at: NOON - days * DAY_MS,
      kind: 'realname.change',
      codes: ['DOCUMENT_CHANGE_LIMIT'],
    });
    expect(signal(assess(input), 'appeal_after_refusal').value).toBe(0);
    input.history.refusals[0]!.at += 1;
    const s = signal(assess(input), 'appeal_after_refusal');
    expect(s.value).toBe(1);
    expect(s.detail).toEqual({ hoursAfterRefusal: days * 24 - 1 });
  });

  it('R-RISK-1 appeal_after_refusal: a refusal made only of intruder protections (the thief stopped) does not count, nor a refused appeal', () => {
    const input = riskInput({ kind: 'appeal.submit' });
    input.appealClaim = 'account_stolen';
    input.history.refusals.push(
      { at: NOON - DAY_MS, kind: 'realname.revoke', codes: ['NOT_PRIMARY_DEVICE', 'ABNORMAL_LOGIN_RECENT'] },
      { at: NOON - DAY_MS, kind: 'appeal.submit', codes: ['APPEAL_ALREADY_OPEN'] },
    );
    expect(signal(assess(input), 'appeal_after_refusal').value).toBe(0);
    // A risk refusal (no codes) counts.
    input.history.refusals.push({ at: NOON - DAY_MS, kind: 'realname.revoke', codes: [] });
    expect(signal(assess(input), 'appeal_after_refusal').value).toBe(1);
  });

  it('R-RISK-1 appeal_after_refusal: an appeal the store already recorded at now is the one being submitted, not a second', () => {
    const input = riskInput({ kind: 'appeal.submit' });
    input.history.refusals.push({
      at: NOON - DAY_MS,
      kind: 'realname.change',
      codes: ['REALNAME_CHANGE_TOO_SOON'],
    });
    input.history.appeals.push({ at: NOON, claim: 'other' });
    expect(signal(assess(input), 'appeal_after_refusal').value).toBe(1);
  });

  it('R-RISK-1 weights come from the policy: computeSignals reports value, weight and contribution', () => {
    const input = riskInput();
    input.facts.logins.push({ at: NOON - HOUR_MS, deviceId: 'dev_primary', abnormal: true });
    const risk = structuredClone(RISK);
    risk.signals.abnormal_logins.weight = 42;
    const s = computeSignals(input, risk).find((x) => x.id === 'abnormal_logins')!;
    expect(s).toMatchObject({ value: 1, weight: 42, contribution: 42, detail: { hoursSinceLast: 1 } });
  });
});
