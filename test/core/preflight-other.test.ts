import { describe, expect, it } from 'vitest';
import { shanghaiDateTime } from '../../src/core/calendar.js';
import { DAY_MS } from '../../src/core/clock.js';
import { compareRoutes } from '../../src/core/compare.js';
import type { AccountFacts, Card } from '../../src/core/model.js';
import { documentCooldownAfterRefusal, missingEvidence } from '../../src/core/preflight.js';
import { busyFacts, cleanFacts, NOON, YUAN } from '../support/facts.js';
import { calendar, codes, policy, preflight, run } from '../support/preflight.js';

function withFacts(change: (f: AccountFacts) => void): AccountFacts {
  const f = cleanFacts();
  change(f);
  return f;
}
const card = (id: string, type: Card['type'], extra: Partial<Card> = {}): Card => ({
  id,
  type,
  last4: '0000',
  bank: 'ICBC',
  reservedPhoneMasked: '138****0000',
  boundAt: NOON - 100 * DAY_MS,
  ...extra,
});
const unbind = (cardId: string) => ({ kind: 'card.unbind', cardId }) as const;
const at = (h: number, m = 0) => shanghaiDateTime(2026, 11, 18, h, m);

describe('card.unbind', () => {
  it('R-CARD-1 a debit card has no count limit and needs a code to its reserved phone', () => {
    const f = withFacts((f) => {
      f.cards.push(card('d1', 'debit'), card('d2', 'debit'));
      for (let i = 0; i < 10; i++) f.history.cardUnbinds.push({ at: NOON - i * 60_000, cardType: 'debit' });
    });
    const r = run(f, unbind('d1'));
    expect(r.allowed).toBe(true);
    expect(r.requiredEvidence.map((e) => e.kind)).toEqual(['reserved_phone_code']);
    expect(r.stepUp).toMatchObject({ method: 'sms', channel: 'reserved_phone' });
  });

  it('R-CARD-1 an unknown card is refused by name', () => {
    const r = run(cleanFacts(), unbind('nope'));
    expect(r.blockers.map((b) => b.code)).toEqual(['CARD_NOT_FOUND']);
    expect(r.blockers[0]!.params.cardId).toBe('nope');
  });

  it('R-CARD-2 credit cards: 2 unbinds today → a 3rd is allowed; 3 today → the 4th is refused until midnight', () => {
    const f = (n: number) =>
      withFacts((f) => {
        f.cards.push(card('c1', 'credit'));
        for (let i = 0; i < n; i++) f.history.cardUnbinds.push({ at: at(9, i), cardType: 'credit' });
      });
    expect(run(f(2), unbind('c1')).allowed).toBe(true);
    const r = run(f(3), unbind('c1'));
    expect(r.blockers.map((b) => b.code)).toEqual(['CREDIT_CARD_DAILY_LIMIT']);
    expect(r.blockers[0]!.params).toMatchObject({
      limit: 3,
      used: 3,
      retryAt: shanghaiDateTime(2026, 11, 19, 0, 0),
    });
    expect(r.retryAfter).toBe(shanghaiDateTime(2026, 11, 19, 0, 0));
  });

  it('R-CARD-2 the day is the Asia/Shanghai calendar day: 3 unbinds at 23:59 yesterday do not count today', () => {
    const f = withFacts((f) => {
      f.cards.push(card('c1', 'credit'));
      for (let i = 0; i < 3; i++)
        f.history.cardUnbinds.push({ at: shanghaiDateTime(2026, 11, 17, 23, 59), cardType: 'credit' });
    });
    expect(run(f, unbind('c1'), shanghaiDateTime(2026, 11, 18, 0, 0)).allowed).toBe(true);
    expect(run(f, unbind('c1'), shanghaiDateTime(2026, 11, 17, 23, 59)).allowed).toBe(false);
  });

  it('R-CARD-2 debit unbinds do not count towards the credit limit', () => {
    const f = withFacts((f) => {
      f.cards.push(card('c1', 'credit'));
      for (let i = 0; i < 5; i++) f.history.cardUnbinds.push({ at: at(9, i), cardType: 'debit' });
    });
    expect(run(f, unbind('c1')).allowed).toBe(true);
  });

  it('R-CARD-2 an unbilled amount of even 1 unit must be repaid first', () => {
    expect(
      codes(
        withFacts((f) => f.cards.push(card('c1', 'credit', { unbilled: 1 }))),
        unbind('c1'),
      ),
    ).toEqual(['CREDIT_CARD_UNBILLED']);
    expect(
      codes(
        withFacts((f) => f.cards.push(card('c1', 'credit', { unbilled: 0 }))),
        unbind('c1'),
      ),
    ).toEqual([]);
  });

  it('R-CARD-3 overseas cards: one unbind per rolling 7 days, refused with the moment it lifts', () => {
    const f = (ago: number) =>
      withFacts((f) => {
        f.cards.push(card('o1', 'overseas'));
        f.history.cardUnbinds.push({ at: NOON - ago, cardType: 'overseas' });
      });
    const r = run(f(7 * DAY_MS - 1), unbind('o1'));
    expect(r.blockers.map((b) => b.code)).toEqual(['OVERSEAS_CARD_WEEKLY_LIMIT']);
    expect(r.blockers[0]!.params.retryAt).toBe(NOON + 1);
    expect(run(f(7 * DAY_MS), unbind('o1')).allowed).toBe(true);
  });

  it('R-CARD-3 the cross-border payment agreement must be closed', () => {
    expect(
      codes(
        withFacts((f) => f.cards.push(card('o1', 'overseas', { crossBorderAgreement: true }))),
        unbind('o1'),
      ),
    ).toEqual(['CROSS_BORDER_AGREEMENT_ON']);
  });

  it('R-CARD-4 unbinding the last card announces pending_completion; with another card left it does not', () => {
    const last = run(
      withFacts((f) => f.cards.push(card('d1', 'debit'))),
      unbind('d1'),
    );
    expect(last.consequences.map((c) => c.code)).toContain('CONSEQ_IDENTITY_PENDING_COMPLETION');
    const notLast = run(
      withFacts((f) => f.cards.push(card('d1', 'debit'), card('d2', 'debit'))),
      unbind('d1'),
    );
    expect(notLast.consequences.map((c) => c.code)).not.toContain('CONSEQ_IDENTITY_PENDING_COMPLETION');
  });

  it('R-WIN-1 maintenance window 04:00–06:00: 03:59 and 06:00 run, 04:00 and 05:59 are refused with retry-after 06:00', () => {
    const f = withFacts((f) => f.cards.push(card('d1', 'debit')));
    expect(run(f, unbind('d1'), at(3, 59)).allowed).toBe(true);
    for (const t of [at(4, 0), at(5, 59)]) {
      const r = run(f, unbind('d1'), t);
      expect(r.blockers.map((b) => b.code)).toEqual(['MAINTENANCE_WINDOW']);
      expect(r.retryAfter).toBe(at(6, 0));
    }
    expect(run(f, unbind('d1'), at(6, 0)).allowed).toBe(true);
    // other operations are not unbinds and run in the window
    expect(run(cleanFacts(), { kind: 'account.delete' }, at(4, 30)).allowed).toBe(true);
  });

  it('R-MIN-1 a minor: guardian face needed; 21:59 runs, 22:00 and 05:59 refused until 06:00', () => {
    const f = withFacts((f) => {
      f.account.minor = true;
      f.cards.push(card('d1', 'debit'));
    });
    const day = run(f, unbind('d1'), at(21, 59));
    expect(day.allowed).toBe(true);
    expect(day.requiredEvidence.map((e) => e.kind)).toContain('guardian_face');
    const night = run(f, unbind('d1'), at(22, 0));
    expect(night.blockers.map((b) => b.code)).toEqual(['MINOR_NIGHT_WINDOW']);
    expect(night.retryAfter).toBe(shanghaiDateTime(2026, 11, 19, 6, 0));
    const early = run(f, unbind('d1'), shanghaiDateTime(2026, 11, 19, 5, 59));
    // 05:59 is inside both the night window and the maintenance window
    expect(early.blockers.map((b) => b.code)).toEqual(['MINOR_NIGHT_WINDOW', 'MAINTENANCE_WINDOW']);
    // an adult at 23:00 is fine
    expect(
      run(
        withFacts((f) => f.cards.push(card('d1', 'debit'))),
        unbind('d1'),
        at(23, 0),
      ).allowed,
    ).toBe(true);
  });
});

describe('realname.change', () => {
  const VALID_ID = '11010519491231002X';
  const change = (extra: object = {}) => ({ kind: 'realname.change', ...extra }) as const;

  it('R-CHG-1 evidence: both sides of the document, liveness video, phone code, bank reserved info', () => {
    const r = run(cleanFacts(), change({ newDocument: { type: 'cn_id', number: VALID_ID } }));
    expect(r.allowed).toBe(true);
    expect(r.requiredEvidence.map((e) => e.kind)).toEqual([
      'document_front',
      'document_back',
      'liveness_video',
      'phone_code',
      'bank_reserved_info',
    ]);
    const missing = missingEvidence(r.requiredEvidence, {
      document_front: 1,
      document_back: 1,
      liveness_video: 1,
    });
    expect(missing.map((b) => b.params.evidence)).toEqual(['phone_code', 'bank_reserved_info']);
  });

  it('R-CHG-1 a mainland ID with a wrong check digit is refused naming the problem, not the number', () => {
    const r = run(cleanFacts(), change({ newDocument: { type: 'cn_id', number: '110105194912310021' } }));
    expect(r.blockers.map((b) => b.code)).toEqual(['DOCUMENT_INVALID']);
    expect(r.blockers[0]!.params.problem).toBe('check_digit');
    expect(r.blockers[0]!.message['zh-CN']).toContain('校验位');
    expect(JSON.stringify(r.blockers[0])).not.toContain('110105194912310021');
  });

  it('R-CHG-2 90 days between changes: 90 days minus 1 ms refused, exactly 90 days allowed', () => {
    const f = (ago: number) => withFacts((f) => f.history.realnameChanges.push({ at: NOON - ago }));
    const r = run(f(90 * DAY_MS - 1), change());
    expect(r.blockers.map((b) => b.code)).toEqual(['REALNAME_CHANGE_TOO_SOON']);
    expect(r.blockers[0]!.params.retryAt).toBe(NOON + 1);
    expect(run(f(90 * DAY_MS), change()).allowed).toBe(true);
  });

  it('R-CHG-3 3 changes with one document in 365 days: the 4th is refused and would start a 180-day cooldown', () => {
    const usage = (agos: number[], cooldownUntil: number | null = null) =>
      change({ documentUsage: { changesAt: agos.map((a) => NOON - a), cooldownUntil } });
    expect(run(cleanFacts(), usage([10 * DAY_MS, 100 * DAY_MS])).allowed).toBe(true);
    const r = run(cleanFacts(), usage([10 * DAY_MS, 100 * DAY_MS, 365 * DAY_MS - 1]));
    expect(r.blockers.map((b) => b.code)).toEqual(['DOCUMENT_CHANGE_LIMIT']);
    expect(documentCooldownAfterRefusal(r.blockers, NOON, policy.rulesFor('CN'))).toBe(NOON + 180 * DAY_MS);
    // one of the three is exactly 365 days old: out of the window
    expect(run(cleanFacts(), usage([10 * DAY_MS, 100 * DAY_MS, 365 * DAY_MS])).allowed).toBe(true);
    expect(documentCooldownAfterRefusal([], NOON, policy.rulesFor('CN'))).toBeNull();
  });

  it('R-CHG-3 during the cooldown every attempt is refused naming its end; after it the 365-day count applies again', () => {
    const until = NOON + 5 * DAY_MS;
    const during = run(cleanFacts(), change({ documentUsage: { changesAt: [], cooldownUntil: until } }));
    expect(during.blockers.map((b) => b.code)).toEqual(['DOCUMENT_COOLDOWN']);
    expect(during.blockers[0]!.params.until).toBe(until);
    expect(during.retryAfter).toBe(until);
    const after = change({
      documentUsage: {
        changesAt: [NOON - DAY_MS, NOON - 2 * DAY_MS, NOON - 3 * DAY_MS],
        cooldownUntil: NOON,
      },
    });
    expect(codes(cleanFacts(), after)).toEqual(['DOCUMENT_CHANGE_LIMIT']);
    const afterFew = change({ documentUsage: { changesAt: [NOON - DAY_MS], cooldownUntil: NOON } });
    expect(codes(cleanFacts(), afterFew)).toEqual([]);
  });

  it('R-CHG-4 a non-mainland document adds 2 manual review steps (≥ 72 h), as a warning and a consequence', () => {
    const r = run(cleanFacts(), change({ newDocument: { type: 'passport', number: 'E12345678' } }));
    expect(r.allowed).toBe(true);
    expect(r.warnings.map((w) => w.code)).toEqual(['NON_MAINLAND_REVIEW']);
    expect(r.warnings[0]!.params).toEqual({ steps: 2, hours: 72 });
    expect(r.consequences.map((c) => c.code)).toContain('CONSEQ_MANUAL_REVIEW');
    const mainland = run(cleanFacts(), change({ newDocument: { type: 'cn_id', number: VALID_ID } }));
    expect(mainland.warnings).toEqual([]);
  });

  it('R-CHG-5 the subject is overwritten and bills under the old subject are listed', () => {
    const r = run(
      withFacts((f) => (f.wallet.invoicesIssued = 4)),
      change(),
    );
    const byCode = Object.fromEntries(r.consequences.map((c) => [c.code, c]));
    expect(byCode.CONSEQ_SUBJECT_OVERWRITTEN).toBeDefined();
    expect(byCode.CONSEQ_INVOICES_UPDATE!.params.count).toBe(4);
  });

  it('R-MIN-2 a minor: 2 modifications this month block a 3rd until the 1st of next month; last month’s do not count', () => {
    const f = (when: number[]) =>
      withFacts((f) => {
        f.account.minor = true;
        f.history.identityModifications = when.map((a) => ({ at: a }));
      });
    const thisMonth = [shanghaiDateTime(2026, 11, 1, 0, 0), shanghaiDateTime(2026, 11, 10, 9, 0)];
    const r = run(f(thisMonth), change());
    expect(r.blockers.map((b) => b.code)).toEqual(['MINOR_MONTHLY_LIMIT']);
    expect(r.blockers[0]!.params.retryAt).toBe(shanghaiDateTime(2026, 12, 1, 0, 0));
    expect(run(f(thisMonth.slice(1)), change()).allowed).toBe(true);
    const lastMonth = [shanghaiDateTime(2026, 10, 31, 23, 59), shanghaiDateTime(2026, 10, 31, 23, 58)];
    expect(run(f(lastMonth), change()).allowed).toBe(true);
    expect(run(f(thisMonth.slice(1)), change()).requiredEvidence.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['guardian_face', 'guardianship_proof']),
    );
  });
});

describe('enterprise.detach', () => {
  const detach = (linkId: string) => ({ kind: 'enterprise.detach', linkId }) as const;
  const link = (
    kind: 'attendance' | 'customer_contact' | 'enterprise_payment',
    adminRole = false,
    pendingApprovals = 0,
  ) =>
    withFacts((f) =>
      f.enterpriseLinks.push({
        id: 'e1',
        enterprise: 'Acme',
        kind,
        active: true,
        adminRole,
        pendingApprovals,
      }),
    );

  it.each([
    ['attendance', 'resignation_certificate', 'CONSEQ_JOB_RECORD_KEPT', 'R-ENT-1'],
    ['customer_contact', 'customer_data_migrated', 'CONSEQ_CONTACT_RECORDS_CLEARED', 'R-ENT-2'],
    ['enterprise_payment', 'finance_reconciliation', 'CONSEQ_WITHHOLDING_TERMINATED', 'R-ENT-3'],
  ] as const)('%s link needs %s and %s (%s)', (kind, proof, conseq, rule) => {
    const r = run(link(kind), detach('e1'));
    expect(r.allowed).toBe(true);
    expect(r.requiredEvidence).toMatchObject([{ kind: proof, rule }]);
    expect(r.consequences.map((c) => c.code)).toEqual(
      expect.arrayContaining([conseq, 'CONSEQ_ENTERPRISE_API_REVOKED']),
    );
  });

  it('R-ENT-4 the enterprise admin role is released first; pending approvals are voided', () => {
    expect(codes(link('attendance', true), detach('e1'))).toEqual(['ENTERPRISE_ADMIN_ROLE_HELD']);
    const r = run(link('attendance', false, 3), detach('e1'));
    expect(r.consequences.find((c) => c.code === 'CONSEQ_APPROVALS_VOIDED')!.params.count).toBe(3);
  });

  it('R-ENT-4 an unknown or already detached link is refused by name', () => {
    expect(codes(link('attendance'), detach('e9'))).toEqual(['ENTERPRISE_LINK_NOT_FOUND']);
  });
});

describe('appeal.submit', () => {
  it('R-ABN-2 only a frozen or banned account appeals; one appeal at a time', () => {
    expect(codes(cleanFacts(), { kind: 'appeal.submit' })).toEqual(['APPEAL_NOT_NEEDED']);
    expect(
      run(
        withFacts((f) => (f.account.status = 'frozen')),
        { kind: 'appeal.submit' },
      ).allowed,
    ).toBe(true);
    expect(
      run(
        withFacts((f) => (f.account.status = 'banned')),
        { kind: 'appeal.submit' },
      ).allowed,
    ).toBe(true);
    const open = withFacts((f) => {
      f.account.status = 'frozen';
      f.openAppealId = 'op_a1';
    });
    expect(codes(open, { kind: 'appeal.submit' })).toEqual(['APPEAL_ALREADY_OPEN']);
  });

  it('R-ABN-2 needs 3 auxiliary verifications, a handheld-ID photo and a statement', () => {
    const r = run(
      withFacts((f) => (f.account.status = 'frozen')),
      { kind: 'appeal.submit' },
    );
    expect(r.requiredEvidence.map((e) => [e.kind, e.min])).toEqual([
      ['aux_verification', 3],
      ['handheld_id_photo', 1],
      ['statement', 1],
    ]);
    expect(
      missingEvidence(r.requiredEvidence, { aux_verification: 2, handheld_id_photo: 1, statement: 1 }),
    ).toHaveLength(1);
    expect(
      missingEvidence(r.requiredEvidence, { aux_verification: 3, handheld_id_photo: 1, statement: 1 }),
    ).toEqual([]);
  });

  it('R-WIN-2 R-ABN-2 the review is due within 7 Chinese working days, National Day 2026 skipped', () => {
    const submitted = shanghaiDateTime(2026, 9, 30, 10, 0);
    const r = run(
      withFacts((f) => (f.account.status = 'frozen')),
      { kind: 'appeal.submit' },
      submitted,
    );
    const due = r.consequences.find((c) => c.code === 'CONSEQ_REVIEW_DUE')!;
    expect(due.params.dueBy).toBe(calendar.addWorkingDays(submitted, 7));
    // 7 calendar days would be 2026-10-07, inside the holiday; working days land well after it
    expect(due.params.dueBy as number).toBeGreaterThan(shanghaiDateTime(2026, 10, 8, 0, 0));
    expect(r.consequences.map((c) => c.code)).toContain('CONSEQ_FREEZE_LIFTED_ON_ACCEPT');
  });

  it('R-ABN-3 the consequences say an accepted appeal lifts the freeze', () => {
    const r = run(
      withFacts((f) => (f.account.status = 'frozen')),
      { kind: 'appeal.submit' },
    );
    expect(r.consequences.find((c) => c.code === 'CONSEQ_FREEZE_LIFTED_ON_ACCEPT')!.rule).toBe('R-ABN-3');
  });
});

describe('payment.restore', () => {
  const RESTORE = { kind: 'payment.restore' } as const;
  const revoked = (cardsBound: number, tx: number) =>
    withFacts((f) => {
      f.identity!.status = 'revoked';
      f.history.revokedAt = NOON - 5 * DAY_MS;
      f.history.cardsBoundSinceRevocation = cardsBound;
      f.history.verifiedTransactionsSinceRevocation = tx;
      if (cardsBound) f.cards.push(card('d1', 'debit'));
    });
  it('R-REV-7 nothing to restore on an account never revoked', () => {
    expect(codes(cleanFacts(), RESTORE)).toEqual(['NOTHING_TO_RESTORE']);
  });
  it('R-REV-7 a card bound again and 3 verified transactions: 2 of 3 is not enough, 3 is', () => {
    expect(codes(revoked(0, 0), RESTORE)).toEqual(['RESTORE_CARD_REQUIRED', 'RESTORE_TRANSACTIONS_REQUIRED']);
    const two = run(revoked(1, 2), RESTORE);
    expect(two.blockers.map((b) => b.code)).toEqual(['RESTORE_TRANSACTIONS_REQUIRED']);
    expect(two.blockers[0]!.message.en).toBe('2 of 3 verified transactions completed since the revocation.');
    expect(run(revoked(1, 3), RESTORE).allowed).toBe(true);
  });
});

describe('data.export', () => {
  const EXPORT = { kind: 'data.export' } as const;
  it('R-EXP-1 R-DEL-4 any live account may export; a deleted one may not', () => {
    expect(run(busyFacts(), EXPORT).allowed).toBe(true);
    expect(
      codes(
        withFacts((f) => (f.account.status = 'deleted')),
        EXPORT,
      ),
    ).toEqual(['ACCOUNT_DELETED']);
  });
  it('R-REG-3 EU/US sign the cross-border transfer agreement first', () => {
    expect(
      codes(
        withFacts((f) => (f.account.region = 'EU')),
        EXPORT,
      ),
    ).toEqual(['EXPORT_AGREEMENT_REQUIRED']);
    const signed = withFacts((f) => {
      f.account.region = 'US';
      f.declarations.dataExportAgreementAt = NOON - DAY_MS;
    });
    expect(codes(signed, EXPORT)).toEqual([]);
  });
  it('R-REG-2 SEA accepts the local data-storage agreement first', () => {
    expect(
      codes(
        withFacts((f) => (f.account.region = 'SEA')),
        EXPORT,
      ),
    ).toEqual(['LOCAL_STORAGE_AGREEMENT_REQUIRED']);
  });
});

describe('R-CMP-1 the three routes side by side', () => {
  it('R-CMP-1 compares time, data kept, functions lost, recoverability and this account’s blockers', () => {
    const c = compareRoutes(preflight, policy, {
      facts: busyFacts(),
      now: NOON,
      context: { deviceId: 'dev_primary' },
    });
    expect(c.routes.map((r) => r.route)).toEqual(['account.delete', 'card.unbind', 'realname.change']);
    const [del, cards, change] = c.routes;
    expect(del!.timeToComplete.minHours).toBe(60 * 24);
    expect(del!.allowed).toBe(false);
    expect(del!.blockers.map((b) => b.code)).toContain('SUBSCRIPTION_ACTIVE');
    // unbinding: the credit card has an unbilled amount, the overseas card its agreement on
    expect(cards!.blockers.map((b) => b.code).sort()).toEqual([
      'CREDIT_CARD_UNBILLED',
      'CROSS_BORDER_AGREEMENT_ON',
    ]);
    expect(cards!.reversible).toBe(true);
    expect(change!.blockers.map((b) => b.code)).toEqual(['REALNAME_CHANGE_TOO_SOON']);
    for (const r of c.routes) {
      expect(r.title.label['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(r.dataKept.length + r.functionsLost.length).toBeGreaterThan(0);
    }
  });

  it('R-CMP-1 unbinding 4 credit cards takes two days (3 per day, R-CARD-2)', () => {
    const f = withFacts((f) =>
      f.cards.push(card('c1', 'credit'), card('c2', 'credit'), card('c3', 'credit'), card('c4', 'credit')),
    );
    const c = compareRoutes(preflight, policy, { facts: f, now: NOON });
    expect(c.routes[1]!.timeToComplete.maxHours).toBe(24);
    expect(c.routes[1]!.allowed).toBe(true);
  });

  it('R-CMP-1 an account with no card cannot take the unbind route', () => {
    const c = compareRoutes(preflight, policy, { facts: cleanFacts(), now: NOON });
    expect(c.routes[1]!.allowed).toBe(false);
    expect(c.routes[0]!.allowed).toBe(true);
  });
});

describe('balance display', () => {
  it('R-UX-2 a balance of ¥1,234.0056 shows the residue in both languages', () => {
    const r = run(
      withFacts((f) => (f.wallet.balance = 1_234 * YUAN + 56)),
      { kind: 'account.delete' },
    );
    expect(r.blockers[0]!.message.en).toContain('¥1,234.0056');
    expect(r.blockers[1]!.message.en).toContain('¥0.0056');
  });
});
