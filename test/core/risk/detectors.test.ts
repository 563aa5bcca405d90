/**
 * R-RISK-2: the three abuse routes of the source documents, each from a realistic sequence of
 * events, and the honest look-alikes that must not be flagged: a real theft victim's appeal, an
 * overseas user with a fresh document, a user mistyping a code twice over days.
 */
import { describe, expect, it } from 'vitest';
import type { RiskInput } from '../../../src/core/risk/index.js';
import {
  assess,
  CN,
  DAY_MS,
  daysAgo,
  HOUR_MS,
  hoursAgo,
  MINUTE_MS,
  NOON,
  policyWith,
  RISK,
  riskInput,
} from '../../support/risk.js';

const detectors = (input: RiskInput) => assess(input).detections.map((d) => d.detector);

describe('R-RISK-2 stolen_account_appeal', () => {
  /** Changed the subject 40 days ago; tried again 2 days ago (refused: too soon); now "stolen!". */
  function abuser(): RiskInput {
    const input = riskInput({ kind: 'appeal.submit' });
    input.facts.account.status = 'frozen';
    input.facts.account.frozenReason = 'locked_by_user';
    input.facts.history.realnameChanges.push({ at: daysAgo(40) });
    input.facts.identity!.changedAt = daysAgo(40);
    input.history.refusals.push({
      at: daysAgo(2),
      kind: 'realname.change',
      codes: ['REALNAME_CHANGE_TOO_SOON'],
    });
    input.appealClaim = 'account_stolen';
    return input;
  }

  it('R-RISK-2 a theft claim two days after a refused subject change is detected: review, account frozen, evidence for the reviewer', () => {
    const a = assess(abuser());
    expect(a.decision).toBe('review');
    expect(a.because).toBe('abuse_detected');
    expect(a.freezeAccount).toBe(true);
    expect(a.detections).toEqual([
      {
        detector: 'stolen_account_appeal',
        rule: 'R-RISK-2',
        evidence: {
          appealAt: NOON,
          refusals: 1,
          refusedKinds: ['realname.change'],
          codes: ['REALNAME_CHANGE_TOO_SOON'],
          hoursAfterRefusal: 48,
          windowDays: 7,
        },
      },
    ]);
    // The signals are there for the reviewer too: the appeal timing and the recent change.
    expect(a.signals.find((s) => s.id === 'appeal_after_refusal')!.contribution).toBe(30);
    expect(a.signals.find((s) => s.id === 'identity_changed_recently')!.contribution).toBe(10);
  });

  it('R-RISK-2 a refused revocation without codes (a risk refusal) counts, and freezeAccountOnAbuse=false keeps the account open', () => {
    const input = abuser();
    input.history.refusals = [{ at: hoursAgo(3), kind: 'realname.revoke', codes: [] }];
    const rules = policyWith((doc) => {
      doc.defaults.risk!.freezeAccountOnAbuse = false;
    }).rulesFor('CN');
    const a = assess(input, rules);
    expect(a.detections.map((d) => d.detector)).toEqual(['stolen_account_appeal']);
    expect(a.decision).toBe('review');
    expect(a.freezeAccount).toBe(false);
  });

  it('R-RISK-2 the identity reset that follows the theft claim is detected too (within the appeal lookback)', () => {
    const input = riskInput({
      kind: 'realname.change',
      newDocument: { type: 'cn_id', number: '11010519900101123X' },
    });
    input.history.refusals.push({
      at: daysAgo(6),
      kind: 'realname.change',
      codes: ['DOCUMENT_CHANGE_LIMIT'],
    });
    input.history.appeals.push({ at: daysAgo(5), claim: 'account_stolen' });
    expect(detectors(input)).toEqual(['stolen_account_appeal']);
    // 30 days after the appeal the reset is no longer tied to it.
    input.history.appeals[0]!.at = daysAgo(RISK.detectors.stolen_account_appeal.appealLookbackDays);
    input.history.refusals[0]!.at = daysAgo(31);
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 the refusal window: 7 days minus 1 ms before the appeal is detected, exactly 7 days is not', () => {
    const days = RISK.detectors.stolen_account_appeal.refusalWindowDays;
    const input = abuser();
    input.history.refusals[0]!.at = NOON - days * DAY_MS;
    expect(detectors(input)).toEqual([]);
    input.history.refusals[0]!.at += 1;
    expect(detectors(input)).toEqual(['stolen_account_appeal']);
  });

  it('R-RISK-2 minRefusals: with 2 required, one refusal is not enough', () => {
    const rules = policyWith((doc) => {
      doc.defaults.risk!.detectors.stolen_account_appeal.minRefusals = 2;
    }).rulesFor('CN');
    const input = abuser();
    expect(assess(input, rules).detections).toEqual([]);
    input.history.refusals.push({
      at: daysAgo(1),
      kind: 'realname.revoke',
      codes: ['REALNAME_CHANGED_RECENTLY'],
    });
    expect(assess(input, rules).detections.map((d) => d.detector)).toEqual(['stolen_account_appeal']);
  });

  it('R-RISK-2 look-alike: a real theft victim appealing after abnormal logins, with no refused operation, is not flagged (step-up)', () => {
    const input = riskInput({ kind: 'appeal.submit' });
    input.facts.account.status = 'frozen';
    input.facts.devices.push({ id: 'dev_thief', platform: 'android', primary: false, addedAt: daysAgo(2) });
    input.facts.logins.push(
      { at: daysAgo(2), deviceId: 'dev_thief', abnormal: true },
      { at: daysAgo(2) + 3 * HOUR_MS, deviceId: 'dev_thief', abnormal: true },
    );
    input.appealClaim = 'account_stolen';
    const a = assess(input);
    expect(a.detections).toEqual([]);
    expect(a.score).toBe(30);
    expect(a.decision).toBe('step_up');
  });

  it('R-RISK-2 look-alike: a victim whose thief was stopped by the intruder protections (not primary device, abnormal login) is not flagged', () => {
    const input = riskInput({ kind: 'appeal.submit' });
    input.facts.logins.push({ at: daysAgo(1), deviceId: 'dev_thief', abnormal: true });
    input.history.refusals.push(
      { at: daysAgo(1) + 10 * MINUTE_MS, kind: 'realname.revoke', codes: ['NOT_PRIMARY_DEVICE'] },
      {
        at: daysAgo(1) + 20 * MINUTE_MS,
        kind: 'realname.revoke',
        codes: ['ABNORMAL_LOGIN_RECENT', 'NOT_PRIMARY_DEVICE'],
      },
    );
    input.appealClaim = 'account_stolen';
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 an appeal claiming something else after a refusal is not this route (the timing signal still fires)', () => {
    const input = abuser();
    input.appealClaim = 'other';
    const a = assess(input);
    expect(a.detections).toEqual([]);
    expect(a.signals.find((s) => s.id === 'appeal_after_refusal')!.value).toBe(1);
  });

  it('R-RISK-2 other requests after a theft claim (an export) are not an identity reset', () => {
    const input = riskInput({ kind: 'data.export' });
    input.history.refusals.push({
      at: daysAgo(3),
      kind: 'realname.change',
      codes: ['REALNAME_CHANGE_TOO_SOON'],
    });
    input.history.appeals.push({ at: daysAgo(2), claim: 'account_stolen' });
    expect(detectors(input)).toEqual([]);
  });
});

describe('R-RISK-2 overseas_reregistration', () => {
  /** A document changed 3 times this year; a new account, 3 days old, with a Hong Kong phone binds it. */
  function abuser(): RiskInput {
    const input = riskInput(
      { kind: 'identity.bind', documentType: 'cn_id' },
      {
        phoneCountry: '852',
        documentLimit: { changesInWindow: 3, limit: 3, cooldownUntil: null },
        documentAccounts: [
          {
            alias: 'doc_acc_1',
            createdAt: daysAgo(700),
            phoneCountry: '86',
            operations: [{ at: daysAgo(200), kind: 'realname.change', refused: false }],
            failedVerifications: 0,
          },
        ],
      },
    );
    input.facts.account.createdAt = daysAgo(3);
    input.facts.account.phoneMasked = '+852 ****1234';
    input.facts.identity = null;
    input.facts.devices = [{ id: 'dev_1', platform: 'ios', primary: true, addedAt: daysAgo(3) }];
    return input;
  }

  it('R-RISK-2 a new account with an overseas phone binding a document at its R-CHG-3 limit is detected', () => {
    const a = assess(abuser());
    expect(a.decision).toBe('review');
    expect(a.because).toBe('abuse_detected');
    expect(a.freezeAccount).toBe(true);
    expect(a.detections).toEqual([
      {
        detector: 'overseas_reregistration',
        rule: 'R-RISK-2',
        evidence: {
          reasons: ['document_at_limit'],
          phoneCountry: '852',
          documentType: 'cn_id',
          accountAgeDays: 3,
          hoursSincePhoneMoved: null,
          changesInWindow: 3,
          limit: 3,
          cooldownUntil: null,
          refusedAccounts: [],
        },
      },
    ]);
  });

  it('R-RISK-2 a document in its cooldown, or refused on its other accounts recently, is detected too', () => {
    const cooling = abuser();
    cooling.history.documentLimit = { changesInWindow: 0, limit: 3, cooldownUntil: NOON + 30 * DAY_MS };
    expect(assess(cooling).detections[0]!.evidence).toMatchObject({
      reasons: ['document_cooldown'],
      cooldownUntil: NOON + 30 * DAY_MS,
    });
    const refused = abuser();
    refused.history.documentLimit = { changesInWindow: 1, limit: 3, cooldownUntil: null };
    refused.history.documentAccounts[0]!.operations.push({
      at: daysAgo(10),
      kind: 'realname.change',
      refused: true,
    });
    expect(assess(refused).detections[0]!.evidence).toMatchObject({
      reasons: ['refused_on_other_accounts'],
      refusedAccounts: ['doc_acc_1'],
    });
  });

  it('R-RISK-2 a cooldown that has ended, a refused card unbind, or a refusal 90 days ago do not mark the document', () => {
    const input = abuser();
    input.history.documentLimit = { changesInWindow: 2, limit: 3, cooldownUntil: NOON };
    input.history.documentAccounts[0]!.operations.push(
      { at: daysAgo(5), kind: 'card.unbind', refused: true },
      {
        at: daysAgo(RISK.detectors.overseas_reregistration.refusedOnDocumentDays),
        kind: 'realname.change',
        refused: true,
      },
    );
    expect(detectors(input)).toEqual([]);
  });

  it("R-RISK-2 an old account whose phone just moved abroad, changing to a document at its limit (from the request's usage), is detected", () => {
    const input = riskInput(
      {
        kind: 'realname.change',
        newDocument: { type: 'cn_id', number: '11010519900101123X' },
        documentUsage: { changesAt: [daysAgo(300), daysAgo(200), daysAgo(100)], cooldownUntil: null },
      },
      { phoneCountry: '1', phoneCountryChanges: [{ at: daysAgo(10), from: '86', to: '1' }] },
    );
    const a = assess(input);
    expect(a.detections.map((d) => d.detector)).toEqual(['overseas_reregistration']);
    expect(a.detections[0]!.evidence).toMatchObject({
      hoursSincePhoneMoved: 240,
      changesInWindow: 3,
      limit: 3,
    });
    // The same change from a phone that moved 30 days ago (or never) is not a re-registration.
    input.history.phoneCountryChanges[0]!.at = daysAgo(
      RISK.detectors.overseas_reregistration.phoneChangeDays,
    );
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 the account age boundary: 30 days minus 1 ms is new, exactly 30 days is not', () => {
    const input = abuser();
    input.facts.account.createdAt = NOON - RISK.detectors.overseas_reregistration.newAccountDays * DAY_MS;
    expect(detectors(input)).toEqual([]);
    input.facts.account.createdAt += 1;
    expect(detectors(input)).toEqual(['overseas_reregistration']);
  });

  it('R-RISK-2 look-alike: an overseas user with a fresh document is not flagged', () => {
    const input = abuser();
    input.history.documentLimit = { changesInWindow: 0, limit: 3, cooldownUntil: null };
    input.history.documentAccounts = [];
    const a = assess(input);
    expect(a.detections).toEqual([]);
    expect(a.decision).toBe('allow');
  });

  it('R-RISK-2 look-alike: a Hong Kong resident binding a Hong Kong permit with a Hong Kong phone is at home', () => {
    const input = abuser();
    input.request = { kind: 'identity.bind', documentType: 'hk_mo_permit' };
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 look-alike: a mainland phone re-registering the same document is not this route', () => {
    const input = abuser();
    input.history.phoneCountry = '86';
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 a passport has no home country: any phone counts as abroad; an unknown phone never does', () => {
    const input = abuser();
    input.request = { kind: 'identity.bind', documentType: 'passport' };
    input.history.phoneCountry = '86';
    expect(detectors(input)).toEqual(['overseas_reregistration']);
    input.history.phoneCountry = null;
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 home phone countries are policy: an overlay can make +852 home for a mainland ID in HK', () => {
    const p = policyWith((doc) => {
      doc.overlays = {
        ...doc.overlays,
        HK: {
          ...doc.overlays!.HK,
          risk: {
            detectors: {
              overseas_reregistration: {
                homePhoneCountries: {
                  cn_id: ['86', '852'],
                  hk_mo_permit: ['852', '853'],
                  tw_permit: ['886'],
                  passport: [],
                },
              },
            },
          },
        },
      };
    });
    expect(assess(abuser(), p.rulesFor('HK')).detections).toEqual([]);
    expect(assess(abuser(), p.rulesFor('CN')).detections.map((d) => d.detector)).toEqual([
      'overseas_reregistration',
    ]);
  });

  it('R-RISK-2 only a bind or a change is assessed for this route', () => {
    const input = abuser();
    input.request = { kind: 'data.export' };
    expect(detectors(input)).toEqual([]);
  });
});

describe('R-RISK-2 deliberate_failures', () => {
  /** Five wrong codes for a revocation within ten hours, then the revocation. */
  function abuser(): RiskInput {
    const input = riskInput({ kind: 'realname.revoke' });
    for (let k = 0; k < 5; k++)
      input.history.failedVerifications.push({ at: hoursAgo(10 - 2 * k), purpose: 'realname.revoke' });
    return input;
  }

  it('R-RISK-2 five failed codes for a revocation within 48 hours, then the revocation, are detected', () => {
    const a = assess(abuser());
    expect(a.decision).toBe('review');
    expect(a.because).toBe('abuse_detected');
    expect(a.detections).toEqual([
      {
        detector: 'deliberate_failures',
        rule: 'R-RISK-2',
        evidence: {
          failedVerifications: 5,
          refusals: 0,
          windowHours: 48,
          firstAt: hoursAgo(10),
          lastAt: hoursAgo(2),
          then: 'realname.revoke',
        },
      },
    ]);
  });

  it('R-RISK-2 four are not enough', () => {
    const input = abuser();
    input.history.failedVerifications.pop();
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 the 48-hour window: a failure exactly 48 hours ago has aged out, 1 ms later it counts', () => {
    const input = abuser();
    input.history.failedVerifications[0]!.at = hoursAgo(48);
    expect(detectors(input)).toEqual([]);
    input.history.failedVerifications[0]!.at += 1;
    expect(detectors(input)).toEqual(['deliberate_failures']);
  });

  it('R-RISK-2 refused starts by risk control count with the failed codes (intruder protections, risk refusals, unknown codes)', () => {
    const input = riskInput({ kind: 'card.unbind', cardId: 'card_1' });
    input.history.failedVerifications.push(
      { at: hoursAgo(5), purpose: 'card.unbind:card_1' },
      { at: hoursAgo(4), purpose: 'card.unbind:card_1#guardian' },
    );
    input.history.refusals.push(
      { at: hoursAgo(3), kind: 'card.unbind', codes: ['NOT_PRIMARY_DEVICE'] },
      { at: hoursAgo(2), kind: 'realname.revoke', codes: [] },
    );
    expect(detectors(input)).toEqual([]);
    input.history.refusals.push({
      at: hoursAgo(1),
      kind: 'realname.revoke',
      codes: ['SOME_FUTURE_RISK_CODE'],
    });
    const a = assess(input);
    expect(a.detections.map((d) => d.detector)).toEqual(['deliberate_failures']);
    expect(a.detections[0]!.evidence).toMatchObject({
      failedVerifications: 2,
      refusals: 3,
      then: 'card.unbind',
    });
  });

  it('R-RISK-2 refusals by ordinary blockers (a balance residue) are a user with something to fix, not failures', () => {
    const input = riskInput({ kind: 'realname.revoke' });
    for (let k = 0; k < 6; k++)
      input.history.refusals.push({
        at: hoursAgo(6 - k),
        kind: 'realname.revoke',
        codes: ['BALANCE_RESIDUE'],
      });
    expect(detectors(input)).toEqual([]);
  });

  it('R-RISK-2 followed by an appeal, detected; followed by an export, not; failures for a subject change do not count', () => {
    const appeal = abuser();
    appeal.request = { kind: 'appeal.submit' };
    appeal.appealClaim = 'other';
    expect(detectors(appeal)).toEqual(['deliberate_failures']);
    const exported = abuser();
    exported.request = { kind: 'data.export' };
    expect(detectors(exported)).toEqual([]);
    const change = abuser();
    for (const f of change.history.failedVerifications) f.purpose = 'realname.change#bank';
    expect(detectors(change)).toEqual([]);
  });

  it('R-RISK-2 look-alike: a user mistyping a code twice over days is not flagged, and no signal fires', () => {
    const input = riskInput({ kind: 'card.unbind', cardId: 'card_1' });
    input.history.failedVerifications.push(
      { at: daysAgo(4), purpose: 'card.unbind:card_1' },
      { at: hoursAgo(1), purpose: 'card.unbind:card_1' },
    );
    const a = assess(input);
    expect(a.detections).toEqual([]);
    expect(a.score).toBe(0);
    expect(a.decision).toBe('allow');
  });

  it('R-RISK-2 several detectors fire together when a sequence matches several routes, in DETECTOR_IDS order', () => {
    const input = riskInput({ kind: 'appeal.submit' });
    input.appealClaim = 'account_stolen';
    input.history.refusals.push({ at: hoursAgo(30), kind: 'realname.revoke', codes: [] });
    for (let k = 0; k < 5; k++)
      input.history.failedVerifications.push({ at: hoursAgo(20 - k), purpose: 'realname.revoke' });
    expect(assess(input, CN).detections.map((d) => d.detector)).toEqual([
      'stolen_account_appeal',
      'deliberate_failures',
    ]);
  });
});
