/**
 * One-time codes (step-up, R-CARD-1, R-REV-2) against the real store on every dialect: the service is
 * built by hand from the same parts main.ts wires, with the development verifier as the SMS sender
 * and a ManualClock.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevBank } from '../../src/adapters/bank/dev-bank.js';
import { createDevSmsSender, type DevSmsSender } from '../../src/adapters/notify/sms.js';
import type { AppDeps } from '../../src/app/deps.js';
import {
  bankCheckPurpose,
  createVerificationService,
  isCodeEvidence,
  sixDigitCode,
  verificationPurpose,
  type VerificationService,
} from '../../src/app/verifications.js';
import { defaultWorkingDayCalendar } from '../../src/core/calendar.js';
import { ManualClock } from '../../src/core/clock.js';
import { DomainError } from '../../src/core/errors/index.js';
import { DEFAULT_POLICY, loadPolicy } from '../../src/core/policy/index.js';
import { documentKey } from '../../src/core/ids.js';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import type { SmsSender } from '../../src/core/ports.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import { NOON, seedAccount } from '../store/fixtures.js';

const actor = { id: 'user:test' };
const MIN = 60_000;

/** Deterministic randomness: the codes (and ids) of a run are always the same. */
function seededRandom(seed: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n; off += 32)
      createHash('sha256')
        .update(`${seed}:${i++}`)
        .digest()
        .copy(out, off, 0, Math.min(32, n - off));
    return out;
  };
}

/** The DomainError `fn` throws (fails the test when it does not throw one). */
async function refusal(fn: () => Promise<unknown>): Promise<DomainError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('one-time code helpers', () => {
  it('draws six digits uniformly, redrawing the biased top of the 32-bit range', () => {
    const draws = [Uint8Array.of(0xff, 0xff, 0xff, 0xff), Uint8Array.of(0, 0, 0x30, 0x39)];
    let calls = 0;
    expect(sixDigitCode(() => draws[calls++]!)).toBe('012345');
    expect(calls).toBe(2);
    const random = seededRandom('codes');
    for (let i = 0; i < 200; i++) expect(sixDigitCode(random)).toMatch(/^\d{6}$/);
  });

  it('names the card in a card.unbind purpose, and knows which evidence kinds are codes', () => {
    expect(verificationPurpose('card.unbind', 'card_1')).toBe('card.unbind:card_1');
    expect(verificationPurpose('realname.revoke')).toBe('realname.revoke');
    expect(() => verificationPurpose('card.unbind')).toThrow(DomainError);
    expect(isCodeEvidence('reserved_phone_code')).toBe(true);
    expect(isCodeEvidence('sms_code')).toBe(true);
    expect(isCodeEvidence('phone_code')).toBe(true);
    expect(isCodeEvidence('statement')).toBe(false);
  });

  it('the policy has a verification section, and a policy document without one still loads', () => {
    expect(loadPolicy().rulesFor('CN').verification).toEqual({
      codeTtlSeconds: 300,
      maxAttempts: 5,
      resendCooldownSeconds: 60,
    });
    const older = structuredClone(DEFAULT_POLICY) as { defaults: Record<string, unknown> };
    delete older.defaults.verification;
    expect(loadPolicy(older).rulesFor('HK').verification.maxAttempts).toBe(5);
  });

  it('the development verifier keeps the last codes per account, by purpose, within bounds', async () => {
    const lines: string[] = [];
    const sms = createDevSmsSender({ info: (m) => lines.push(m) }, { perAccount: 2, accounts: 2 });
    const msg = (accountId: string, purpose: string, code: string) => ({
      to: '138****5678',
      accountId,
      purpose,
      challengeId: `vrf_${code}`,
      text: { en: code, 'zh-CN': code },
      code,
    });
    await sms.send(msg('a', 'account.delete', '111111'));
    await sms.send(msg('a', 'card.unbind:c1', '222222'));
    expect(sms.lastCode('a')).toBe('222222');
    expect(sms.lastCode('a', 'account.delete')).toBe('111111');
    await sms.send(msg('a', 'realname.revoke', '333333'));
    expect(sms.lastCode('a', 'account.delete')).toBeNull(); // only the last 2 per account
    await sms.send(msg('b', 'account.delete', '444444'));
    await sms.send(msg('c', 'account.delete', '555555'));
    expect(sms.lastCode('a')).toBeNull(); // only the 2 most recent accounts
    expect(sms.sent('c').map((m) => m.code)).toEqual(['555555']);
    expect(lines[0]).toMatch(/dev SMS verifier: not sent/);
    expect(lines[0]).toContain('111111');
  });
});

describe.each(dialects())('verification service on $name', ({ makeStore }) => {
  let h: StoreHandle;
  let clock: ManualClock;
  let sms: DevSmsSender;
  const bank = createDevBank();
  let deps: AppDeps;
  let v: VerificationService;
  let n = 0;

  /** A fresh account with two cards (each test its own, so cooldowns and counts do not mix). */
  async function account(): Promise<string> {
    const id = `acc_v${++n}`;
    await seedAccount(h.store, id);
    await h.store.withAccount(id, async (tx) => {
      for (const [cardId, phone] of [
        ['card_a', '138****5678'],
        ['card_b', '139****0000'],
      ] as const)
        await tx.putFact('cards', {
          id: cardId,
          type: 'debit',
          last4: '0001',
          bank: 'ICBC',
          reservedPhoneMasked: phone,
          boundAt: NOON - 100 * 86_400_000,
        });
    });
    return id;
  }

  const row = async (id: string) =>
    h.store.db.selectFrom('verifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const failedHistory = async (accountId: string) =>
    h.store.db
      .selectFrom('history')
      .select(['kind', 'detail'])
      .where('account_id', '=', accountId)
      .where('kind', '=', 'failed_verification')
      .execute();
  const audits = async (accountId: string, action: string) =>
    (await h.store.auditTrail({ accountId, limit: 1000 })).filter((e) => e.action === action);

  beforeAll(async () => {
    clock = new ManualClock(NOON);
    h = await makeStore({ clock });
    sms = createDevSmsSender({ info: () => undefined }, { clock });
    deps = {
      store: h.store,
      clock,
      policy: loadPolicy(),
      calendar: defaultWorkingDayCalendar(),
      idSecret: Buffer.from('test id secret, 32 bytes long!!!'),
      random: seededRandom('service'),
    };
    v = createVerificationService({ ...deps, sms, bank });
  });
  afterAll(() => h.cleanup());

  it('R-CARD-1 a card.unbind code goes to that card’s reserved phone; other purposes to the bound phone', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'card.unbind', cardId: 'card_b' }, actor);
    expect(c).toEqual({
      challengeId: expect.stringMatching(/^vrf_/),
      purpose: 'card.unbind:card_b',
      channel: 'reserved_phone',
      destinationMasked: '139****0000',
      expiresAt: clock.now() + 5 * MIN,
    });
    const d = await v.request(id, { purpose: 'account.delete' }, actor);
    expect(d).toMatchObject({ channel: 'bound_phone', destinationMasked: '+86 138****5678' });
    const sent = sms.sent(id);
    expect(sent.map((m) => [m.purpose, m.to])).toEqual([
      ['account.delete', '+86 138****5678'],
      ['card.unbind:card_b', '139****0000'],
    ]);
    expect(sent[1]!.text.en).toContain('card unbinding');
    expect(sent[1]!.text['zh-CN']).toContain('解绑银行卡');
    expect(sent[1]!.text.en).toContain(sent[1]!.code);
  });

  it('refuses a card that is not bound (404), a card.unbind without a card, and an unknown account', async () => {
    const id = await account();
    const missing = await refusal(() => v.request(id, { purpose: 'card.unbind', cardId: 'card_x' }, actor));
    expect(missing.code).toBe('VERIFICATION_CARD_NOT_FOUND');
    expect(missing.status).toBe(404);
    expect(missing.params).toEqual({ cardId: 'card_x' });
    expect((await refusal(() => v.request(id, { purpose: 'card.unbind' }, actor))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refusal(() => v.request('acc_nobody', { purpose: 'account.delete' }, actor))).code).toBe(
      'ACCOUNT_NOT_FOUND',
    );
    expect(sms.sent(id)).toEqual([]);
  });

  it('a code verifies once; the same code again is VERIFICATION_CODE_USED, counted as a failure', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'account.delete' }, actor);
    const code = sms.lastCode(id, 'account.delete')!;
    expect(await v.verify(id, c.challengeId, code, actor)).toEqual({ verified: true });
    const again = await refusal(() => v.verify(id, c.challengeId, code, actor));
    expect(again.code).toBe('VERIFICATION_CODE_USED');
    expect(again.status).toBe(409);
    expect(await failedHistory(id)).toEqual([{ kind: 'failed_verification', detail: 'account.delete' }]);
    expect((await audits(id, 'verification.failed')).map((e) => e.data)).toEqual([
      { challengeId: c.challengeId, purpose: 'account.delete', reason: 'used', attempts: 2 },
    ]);
    expect(await audits(id, 'verification.verified')).toHaveLength(1);
    // facts() is unaffected by the new history kind
    expect((await h.store.facts(id))!.history.revokedAt).toBeNull();
  });

  it('wrong codes count down the attempts left; after maxAttempts even the right code is VERIFICATION_LOCKED', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'realname.revoke' }, actor);
    const code = sms.lastCode(id)!;
    const wrong = code === '000000' ? '000001' : '000000';
    const left: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await refusal(() => v.verify(id, c.challengeId, wrong, actor));
      expect(e.code).toBe('VERIFICATION_CODE_WRONG');
      expect(e.status).toBe(422);
      left.push(e.params.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const locked = await refusal(() => v.verify(id, c.challengeId, code, actor));
    expect(locked.code).toBe('VERIFICATION_LOCKED');
    expect(locked.params).toEqual({ maxAttempts: 5 });
    expect((await row(c.challengeId)).verified_at).toBeNull();
    expect(await failedHistory(id)).toHaveLength(6);
    expect(
      (await audits(id, 'verification.failed')).map((e) => (e.data as { reason: string }).reason),
    ).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'locked']);
  });

  it('a code past its 5 minutes is VERIFICATION_CODE_EXPIRED, counted as a failure', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'realname.change' }, actor);
    clock.advance(6 * MIN);
    const e = await refusal(() => v.verify(id, c.challengeId, sms.lastCode(id)!, actor));
    expect(e.code).toBe('VERIFICATION_CODE_EXPIRED');
    expect(e.status).toBe(410);
    expect(await failedHistory(id)).toEqual([{ kind: 'failed_verification', detail: 'realname.change' }]);
  });

  it('another account’s challenge, or an unknown one, is VERIFICATION_NOT_FOUND and touches nothing', async () => {
    const mine = await account();
    const theirs = await account();
    const c = await v.request(theirs, { purpose: 'account.delete' }, actor);
    const code = sms.lastCode(theirs)!;
    const e = await refusal(() => v.verify(mine, c.challengeId, code, actor));
    expect(e.code).toBe('VERIFICATION_NOT_FOUND');
    expect(e.status).toBe(404);
    expect((await refusal(() => v.verify(mine, 'vrf_unknown', code, actor))).code).toBe(
      'VERIFICATION_NOT_FOUND',
    );
    expect((await row(c.challengeId)).attempts).toBe(0);
    expect(await v.verify(theirs, c.challengeId, code, actor)).toEqual({ verified: true });
  });

  it('asking again within the cooldown is refused with the seconds to wait; a verified code does not hold the next back (R-REV-2)', async () => {
    const id = await account();
    const first = await v.request(id, { purpose: 'realname.revoke' }, actor);
    clock.advance(20_000);
    const soon = await refusal(() => v.request(id, { purpose: 'realname.revoke' }, actor));
    expect(soon.code).toBe('VERIFICATION_RESEND_TOO_SOON');
    expect(soon.status).toBe(429);
    expect(soon.params).toEqual({ purpose: 'realname.revoke', cooldownSeconds: 60, retryAfter: 40 });
    // another purpose is not held back
    await v.request(id, { purpose: 'card.unbind', cardId: 'card_a' }, actor);
    // the first code verified: the second code of R-REV-2 may be asked at once
    await v.verify(id, first.challengeId, sms.lastCode(id, 'realname.revoke')!, actor);
    const second = await v.request(id, { purpose: 'realname.revoke' }, actor);
    expect(second.challengeId).not.toBe(first.challengeId);
    // and after the cooldown a resend is fine
    clock.advance(60_000);
    await v.request(id, { purpose: 'realname.revoke' }, actor);
  });

  it('never stores the code in clear, nor writes it to the audit trail', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'account.delete' }, actor);
    const code = sms.lastCode(id)!;
    await refusal(() => v.verify(id, c.challengeId, code === '123456' ? '654321' : '123456', actor));
    await v.verify(id, c.challengeId, code, actor);
    const raw = await row(c.challengeId);
    expect(raw.code_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const value of Object.values(raw)) expect(String(value)).not.toContain(code);
    const trail = await h.store.auditTrail({ accountId: id, limit: 1000 });
    expect(trail.map((e) => e.action)).toEqual([
      'account.created',
      'verification.requested',
      'verification.failed',
      'verification.verified',
    ]);
    expect(JSON.stringify(trail.map((e) => e.data))).not.toContain(code);
  });

  it('consume() inside a transaction that then throws leaves the challenge unconsumed; consumed once, never again', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'card.unbind', cardId: 'card_a' }, actor);
    await v.verify(id, c.challengeId, sms.lastCode(id)!, actor);
    const purpose = verificationPurpose('card.unbind', 'card_a');

    await expect(
      h.store.withAccount(id, async (tx) => {
        await v.consume(tx, id, 'reserved_phone_code', c.challengeId, purpose);
        throw new Error('the start was refused after the consumption');
      }),
    ).rejects.toThrow('refused after');
    expect((await row(c.challengeId)).consumed_at).toBeNull();
    expect(await audits(id, 'verification.consumed')).toEqual([]);

    await h.store.withAccount(id, (tx) => v.consume(tx, id, 'reserved_phone_code', c.challengeId, purpose));
    expect(Number((await row(c.challengeId)).consumed_at)).toBe(clock.now());
    expect(await audits(id, 'verification.consumed')).toHaveLength(1);

    const twice = await refusal(() =>
      h.store.withAccount(id, (tx) => v.consume(tx, id, 'reserved_phone_code', c.challengeId, purpose)),
    );
    expect(twice.code).toBe('VERIFICATION_REQUIRED');
    expect(twice.status).toBe(422);
    expect(twice.params).toMatchObject({ reason: 'verification_used', purpose: 'card.unbind' });
    // and the code cannot be verified again either
    expect((await refusal(() => v.verify(id, c.challengeId, sms.lastCode(id)!, actor))).code).toBe(
      'VERIFICATION_CODE_USED',
    );
  });

  it('consume() refuses a challenge that is unverified, for another purpose or card, on another channel, expired, or another account’s', async () => {
    const id = await account();
    const other = await account();
    const reasonOf = async (
      accountId: string,
      kind: 'reserved_phone_code' | 'sms_code',
      ref: string,
      purpose: string,
    ) => {
      const e = await refusal(() =>
        h.store.withAccount(accountId, (tx) => v.consume(tx, accountId, kind, ref, purpose)),
      );
      expect(e.code).toBe('VERIFICATION_REQUIRED');
      return e.params.reason;
    };
    const card = await v.request(id, { purpose: 'card.unbind', cardId: 'card_a' }, actor);
    expect(await reasonOf(id, 'reserved_phone_code', card.challengeId, 'card.unbind:card_a')).toBe(
      'verification_not_verified',
    );
    await v.verify(id, card.challengeId, sms.lastCode(id)!, actor);
    expect(await reasonOf(id, 'reserved_phone_code', card.challengeId, 'card.unbind:card_b')).toBe(
      'verification_other_purpose',
    );
    expect(await reasonOf(id, 'sms_code', card.challengeId, 'card.unbind:card_a')).toBe(
      'verification_other_channel',
    );
    expect(await reasonOf(other, 'reserved_phone_code', card.challengeId, 'card.unbind:card_a')).toBe(
      'verification_not_found',
    );
    clock.advance(5 * MIN);
    expect(await reasonOf(id, 'reserved_phone_code', card.challengeId, 'card.unbind:card_a')).toBe(
      'verification_expired',
    );
    expect((await row(card.challengeId)).consumed_at).toBeNull();
    // a programming error, not a refusal: evidence that is not a code, or the wrong transaction
    await expect(
      h.store.withAccount(id, (tx) => v.consume(tx, id, 'statement', card.challengeId, 'card.unbind:card_a')),
    ).rejects.toThrow(/not a one-time code/);
    await expect(
      h.store.withAccount(id, (tx) => v.consume(tx, other, 'sms_code', card.challengeId, 'account.delete')),
    ).rejects.toThrow(/transaction holds/);
  });

  it('a send that fails removes the challenge: VERIFICATION_SEND_FAILED, and no cooldown holds the retry', async () => {
    const id = await account();
    const broken: SmsSender = { send: () => Promise.reject(new Error('gateway timeout')) };
    const failing = createVerificationService({ ...deps, sms: broken, bank });
    const e = await refusal(() => failing.request(id, { purpose: 'account.delete' }, actor));
    expect(e.code).toBe('VERIFICATION_SEND_FAILED');
    expect(e.status).toBe(502);
    expect((e.cause as Error).message).toBe('gateway timeout');
    expect(
      await h.store.db.selectFrom('verifications').select('id').where('account_id', '=', id).execute(),
    ).toEqual([]);
    expect((await audits(id, 'verification.send_failed')).length).toBe(1);
    await v.request(id, { purpose: 'account.delete' }, actor);
  });

  it('two parallel verifies of one code: exactly one succeeds (the account lock serialises them)', async () => {
    const id = await account();
    const c = await v.request(id, { purpose: 'account.delete' }, actor);
    const code = sms.lastCode(id)!;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => v.verify(id, c.challengeId, code, actor)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as DomainError).code] : []));
    expect(codes).toEqual(Array(4).fill('VERIFICATION_CODE_USED'));
  });

  describe('R-CHG-1 the bank reserved-information check of the new subject’s card', () => {
    const NEW = { documentType: 'cn_id' as const, documentNumber: demoIdNumber(321), holderName: '李四' };
    const CARD = '6222020200112233446';
    beforeAll(() => {
      bank.register({ cardNumber: CARD, reservedPhone: '+86 13700001234', ...NEW });
    });
    const check = (over: Partial<Record<string, string>> = {}) => ({
      cardNumber: CARD,
      reservedPhone: '+86 13700001234',
      ...NEW,
      ...over,
    });

    it('a match sends the bank’s code to the card’s reserved phone, for this new document only', async () => {
      const id = await account();
      const c = await v.request(id, { purpose: 'realname.change', bankCheck: check() }, actor);
      const key = documentKey(deps.idSecret, 'cn_id', NEW.documentNumber);
      expect(c).toMatchObject({
        channel: 'reserved_phone',
        purpose: bankCheckPurpose(key),
        destinationMasked: '+86 137****1234',
      });
      expect(sms.lastCode(id, bankCheckPurpose(key))).toMatch(/^\d{6}$/);
      // the numbers reach neither the store nor the audit trail
      const trail = JSON.stringify(await h.store.auditTrail({ accountId: id, limit: 100 }));
      expect(trail).not.toContain(CARD);
      expect(trail).not.toContain(NEW.documentNumber);
      expect(JSON.stringify(await row(c.challengeId))).not.toContain(NEW.documentNumber);
    });

    it.each([
      ['holderName', '王五', 'holder_mismatch'],
      ['documentNumber', demoIdNumber(322), 'document_mismatch'],
      ['reservedPhone', '+86 13700009999', 'phone_mismatch'],
      ['cardNumber', '6222020200112233447', 'card_unknown'],
    ])(
      'a mismatch of %s (%s) is refused as %s, counted as a failed verification, and sends nothing',
      async (field, value, reason) => {
        const id = await account();
        const e = await refusal(() =>
          v.request(id, { purpose: 'realname.change', bankCheck: check({ [field]: value }) }, actor),
        );
        expect(e.code).toBe('BANK_RESERVED_INFO_MISMATCH');
        expect(e.params).toEqual({ reason });
        expect(await failedHistory(id)).toEqual([
          { kind: 'failed_verification', detail: 'realname.change#bank' },
        ]);
        expect(
          await h.store.db.selectFrom('verifications').select('id').where('account_id', '=', id).execute(),
        ).toEqual([]);
      },
    );

    it('a bank check is only for realname.change, and an invalid document is named before the bank is asked', async () => {
      const id = await account();
      expect(
        (await refusal(() => v.request(id, { purpose: 'account.delete', bankCheck: check() }, actor))).code,
      ).toBe('VALIDATION_FAILED');
      const bad = await refusal(() =>
        v.request(
          id,
          { purpose: 'realname.change', bankCheck: check({ documentNumber: '110101199003070000' }) },
          actor,
        ),
      );
      expect(bad.code).toBe('DOCUMENT_NUMBER_INVALID');
    });
  });
});
