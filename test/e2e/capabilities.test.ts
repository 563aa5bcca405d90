/**
 * What a revocation changes for the account, through HTTP on every dialect: the capabilities
 * endpoint before and after a real revocation (R-REV-5, R-REV-6, R-REG-3), fund operations checked
 * against it (receive limit, withdrawal pause, regional force-close) with problem+json in both
 * languages, the restoration of R-REV-7 (capabilities and the payment.restore timeline), and R-REV-4:
 * a fund operation recorded while a revocation is undecided interrupts it, one recorded once it is
 * decided does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapabilitiesView } from '../../src/app/capabilities.js';
import { nextShanghaiMidnight } from '../../src/core/calendar.js';
import { DAY_MS, HOUR_MS } from '../../src/core/clock.js';
import type { Participant } from '../../src/core/ports.js';
import { dialects } from '../support/dialects.js';
import { revocableAccount, startRevocation, type RevocableOptions } from '../support/revocation.js';
import { startService, type Service } from '../support/service.js';

const YUAN = 10_000;

/**
 * What the `payment` participant waits for before it answers, set per test: a revocation whose
 * prepare is held stays `pending_recycle` (undecided), one whose commit is held stays `committing`.
 */
const hold: {
  prepare: Promise<void> | null;
  commit: Promise<void> | null;
  /** Called when the payment participant is asked to commit (the decision is recorded by then). */
  onCommit: (() => void) | null;
} = { prepare: null, commit: null, onCommit: null };

function holdable(p: Participant): Participant {
  if (p.name !== 'payment') return p;
  return {
    name: p.name,
    async prepare(call, signal) {
      if (hold.prepare) await hold.prepare;
      return p.prepare(call, signal);
    },
    async commit(call, prepared, signal) {
      hold.onCommit?.();
      if (hold.commit) await hold.commit;
      return p.commit(call, prepared, signal);
    },
    abort: (call, prepared, signal) => p.abort(call, prepared, signal),
  };
}

/** A gate: `wait` resolves once `open()` is called. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

type Capability = {
  code: string;
  restricted: boolean;
  value: unknown;
  until: number | null;
  liftedAt: number | null;
};
const restrictedCodes = (body: { capabilities: Capability[] }): string[] =>
  body.capabilities.filter((c) => c.restricted).map((c) => c.code);
const capOf = (body: { capabilities: Capability[] }, code: string): Capability =>
  body.capabilities.find((c) => c.code === code)!;

describe.each(dialects().map((d) => d.name))('capabilities on %s', (dialect) => {
  let s: Service;

  beforeAll(async () => {
    s = await startService(dialect, {}, undefined, undefined, { participants: (d) => d.map(holdable) });
  });
  afterAll(() => s.stop());

  const caps = async (id: string, headers: Record<string, string> = {}) => {
    const r = await s.call('GET', `/v1/accounts/${id}/capabilities`, { headers });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as CapabilitiesView;
  };
  const record = (id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    s.call('POST', `/v1/accounts/${id}/transactions`, { body, headers });

  /** A revocable account revoked by the real saga; the clock then moves on a minute. */
  async function revokedAccount(opts: RevocableOptions = {}): Promise<{ id: string; revokedAt: number }> {
    const id = await revocableAccount(s, opts);
    const opId = await startRevocation(s, id);
    expect(await s.rn.services.saga.run(opId)).toBe('revoked');
    const revokedAt = (await s.call('GET', `/v1/accounts/${id}`)).body.history.revokedAt as number;
    // Events at the instant of the revocation do not count as "since" it (R-REV-7 counts after it).
    s.clock.advance(60_000);
    return { id, revokedAt };
  }

  /**
   * R-REV-4 setup: a revocable account whose revocation is started and left undecided
   * (`pending_recycle`): the payment participant's prepare waits until `release()`.
   */
  async function revocationHeldInPendingRecycle(): Promise<{
    id: string;
    opId: string;
    release: () => void;
  }> {
    const g = gate();
    hold.prepare = g.wait;
    const id = await revocableAccount(s, { grants: 1 });
    const opId = await startRevocation(s, id);
    expect((await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body.state).toBe('pending_recycle');
    return {
      id,
      opId,
      release: () => {
        hold.prepare = null;
        g.open();
      },
    };
  }

  it('R-REV-5 R-REV-6 the endpoint: unrestricted defaults before, every restriction with its rule and end after a revocation, and the merchant warning', async () => {
    const id = await revocableAccount(s, { grants: 2, merchant: true, miniPrograms: 1 });
    const before = await caps(id);
    expect(before).toMatchObject({
      accountId: id,
      region: 'CN',
      realnameStatus: 'verified',
      revokedAt: null,
      merchantRecordsRetained: null,
      restoration: { status: 'not_applicable', required: 3 },
      receiving: { receivedToday: 0, remainingToday: 50_000 * YUAN },
    });
    expect(restrictedCodes(before)).toEqual([]);
    expect(capOf(before, 'daily_receive_limit').value).toBe(50_000 * YUAN);
    expect(typeof before.policyVersion).toBe('string');

    const opId = await startRevocation(s, id);
    expect(await s.rn.services.saga.run(opId)).toBe('revoked');
    const after = await caps(id);
    const revokedAt = after.revokedAt as number;
    expect(revokedAt).toBe(s.clock.now());
    expect(after.realnameStatus).toBe('revoked');
    expect(restrictedCodes(after)).toEqual([
      'daily_receive_limit',
      'withdrawals',
      'auto_debits',
      'login_extra_sms',
      'incoming_friend_requests',
      'moments_per_day',
      'third_party_grants',
      'mini_program_qualification',
      'api_quota_tier',
    ]);
    expect(capOf(after, 'daily_receive_limit')).toMatchObject({
      rule: 'R-REV-5',
      value: 2_000 * YUAN,
      default: 50_000 * YUAN,
      since: revokedAt,
      until: null,
      liftedBy: ['R-REV-7 restoration', 'real-name verified again'],
      consequence: { code: 'CONSEQ_RECEIVE_LIMIT_LOWERED' },
    });
    expect(capOf(after, 'withdrawals')).toMatchObject({ value: false, until: revokedAt + 72 * HOUR_MS });
    expect(capOf(after, 'third_party_grants')).toMatchObject({
      consequence: { code: 'CONSEQ_GRANTS_REVOKED', params: { count: 2 } },
    });
    expect(capOf(after, 'api_quota_tier').value).toBe('test');
    expect(capOf(after, 'payments').restricted).toBe(false); // CN: not force-closed (R-REG-3)
    expect(after.merchantRecordsRetained).toMatchObject({
      code: 'MERCHANT_RECORDS_RETAINED',
      rule: 'R-REV-6',
      params: { merchantId: 'mch_1' },
    });
    expect(after.restoration).toMatchObject({ status: 'pending', cardBound: false, verifiedTransactions: 0 });
    expect(after.receiving.remainingToday).toBe(2_000 * YUAN);
  });

  it('the endpoint reads like an account: 401 without a key, 404 for an unknown account or another user’s, 200 for the user’s own', async () => {
    const id = await revocableAccount(s);
    const other = await revocableAccount(s);
    expect((await s.call('GET', `/v1/accounts/${id}/capabilities`, { key: null })).status).toBe(401);
    const missing = await s.call('GET', '/v1/accounts/acc_nobody/capabilities');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ACCOUNT_NOT_FOUND');
    const token = (await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: id } })).body.secret;
    expect((await s.call('GET', `/v1/accounts/${id}/capabilities`, { key: token })).status).toBe(200);
    const theirs = await s.call('GET', `/v1/accounts/${other}/capabilities`, { key: token });
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('ACCOUNT_NOT_FOUND');
    const spec = await s.call('GET', '/openapi.json', { key: null });
    expect(spec.body.paths['/v1/accounts/{accountId}/capabilities'].get.responses['200']).toBeDefined();
  });

  it('R-REV-5 a receive above the lowered limit is refused: 422 RECEIVE_LIMIT_EXCEEDED problem+json in en and zh-CN with Retry-After; nothing but the refusal is recorded', async () => {
    const { id } = await revokedAccount();
    expect(
      (await record(id, { id: 'rc_1', kind: 'receive', amount: 1_500 * YUAN, status: 'completed' })).status,
    ).toBe(201);
    const over = 500 * YUAN + 1;
    const refused = await record(
      id,
      { id: 'rc_2', kind: 'receive', amount: over, status: 'completed' },
      { 'accept-language': 'en' },
    );
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const midnight = nextShanghaiMidnight(s.clock.now());
    expect(refused.body).toMatchObject({
      code: 'RECEIVE_LIMIT_EXCEEDED',
      status: 422,
      params: {
        amount: over,
        limit: 2_000 * YUAN,
        remaining: 500 * YUAN,
        resetsAt: midnight,
        transactions: 3,
      },
    });
    expect(refused.body.message).toMatch(
      /^Receiving ¥500\.0001 would pass today’s receive limit of ¥2,000\.00: ¥500\.00 can still be received until /,
    );
    expect(refused.body.remediation).toContain('3 verified transactions');
    expect(refused.headers['retry-after']).toBe(String(Math.ceil((midnight - s.clock.now()) / 1000)));
    const zh = await record(
      id,
      { id: 'rc_2', kind: 'receive', amount: over, status: 'completed' },
      { 'accept-language': 'zh-CN' },
    );
    expect(zh.status).toBe(422);
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(zh.body.message).toMatch(/^收款 ¥500\.0001 将超出今日收款限额 ¥2,000\.00/);
    // nothing of the refused receipts was recorded; exactly the rest is accepted
    expect((await caps(id)).receiving).toMatchObject({
      receivedToday: 1_500 * YUAN,
      remainingToday: 500 * YUAN,
    });
    expect(
      (await record(id, { id: 'rc_3', kind: 'receive', amount: 500 * YUAN, status: 'completed' })).status,
    ).toBe(201);
    expect((await caps(id)).receiving).toMatchObject({ receivedToday: 2_000 * YUAN, remainingToday: 0 });
    // the same receipt recorded twice counts once
    expect((await record(id, { id: 'rc_3', kind: 'receive', amount: 0, status: 'completed' })).status).toBe(
      201,
    );
    const audit = (await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body as {
      action: string;
      data: Record<string, unknown>;
    }[];
    const refusals = audit.filter((a) => a.action === 'transaction.refused');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]!.data).toMatchObject({ id: 'rc_2', code: 'RECEIVE_LIMIT_EXCEEDED', rule: 'R-REV-5' });
    expect(audit.filter((a) => a.action === 'transaction.recorded').map((a) => a.data.id)).toEqual([
      'rc_1',
      'rc_3',
      'rc_3',
    ]);
  });

  it('R-REV-5 "today" is the Asia/Shanghai day: the limit used up at 23:59:59.999 is whole again at midnight', async () => {
    const { id } = await revokedAccount();
    const midnight = nextShanghaiMidnight(s.clock.now()) + DAY_MS;
    s.clock.set(midnight - 60_000);
    expect((await record(id, { kind: 'receive', amount: 2_000 * YUAN, status: 'completed' })).status).toBe(
      201,
    );
    s.clock.set(midnight - 1);
    const late = await record(id, { kind: 'receive', amount: 1, status: 'completed' });
    expect(late.status).toBe(422);
    expect(late.headers['retry-after']).toBe('1');
    s.clock.set(midnight);
    expect((await record(id, { kind: 'receive', amount: 2_000 * YUAN, status: 'completed' })).status).toBe(
      201,
    );
    expect((await caps(id)).receiving).toMatchObject({
      receivedToday: 2_000 * YUAN,
      resetsAt: midnight + DAY_MS,
    });
  });

  it('R-REV-5 a withdrawal 72 hours minus 1 ms after the revocation is refused WITHDRAWAL_PAUSED with Retry-After; at 72 hours it is recorded', async () => {
    const { id, revokedAt } = await revokedAccount();
    const end = revokedAt + 72 * HOUR_MS;
    s.clock.set(end - 1);
    const paused = await record(id, { kind: 'withdrawal', amount: 10 * YUAN, status: 'pending' });
    expect(paused.status).toBe(422);
    expect(paused.body).toMatchObject({
      code: 'WITHDRAWAL_PAUSED',
      params: { until: end, retryAfterSeconds: 1 },
    });
    expect(paused.headers['retry-after']).toBe('1');
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.wallet.pendingTransactions).toEqual([]);
    s.clock.set(end);
    expect(capOf(await caps(id), 'withdrawals').restricted).toBe(false);
    const ok = await record(id, { id: 'wd_1', kind: 'withdrawal', amount: 10 * YUAN, status: 'pending' });
    expect(ok.status).toBe(201);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.wallet.pendingTransactions).toMatchObject([
      { id: 'wd_1', kind: 'withdrawal' },
    ]);
  });

  it('R-REG-3 in the EU the revocation force-closes payments: a payment or a red packet is refused PAYMENT_CLOSED; a refund is recorded', async () => {
    const { id } = await revokedAccount({ region: 'EU' });
    expect(capOf(await caps(id), 'payments')).toMatchObject({ restricted: true, rule: 'R-REG-3' });
    const paid = await record(id, { kind: 'payment', amount: YUAN, status: 'completed' });
    expect(paid.status).toBe(422);
    expect(paid.body).toMatchObject({ code: 'PAYMENT_CLOSED', params: { region: 'EU', kind: 'payment' } });
    expect(paid.body.message).toBe(
      'Payments were force-closed in the EU when the real name was revoked; this payment is refused.',
    );
    const zh = await record(
      id,
      { kind: 'red_packet', amount: YUAN, status: 'completed' },
      { 'accept-language': 'zh' },
    );
    expect(zh.body.message).toBe('撤销实名时，欧盟的支付功能已被强制关闭，本次红包已被拒绝。');
    expect((await record(id, { kind: 'refund', amount: YUAN, status: 'completed' })).status).toBe(201);
    // an unknown kind is a validation error, not a refusal
    expect((await record(id, { kind: 'gift', amount: YUAN, status: 'completed' })).status).toBe(400);
  });

  it('R-REV-7 a card bound again and 3 verified transactions lift the payment restrictions once: in capabilities and on the payment.restore timeline; the social ones stay', async () => {
    const { id } = await revokedAccount();
    const boundAt = s.clock.now();
    const bound = await s.call('PUT', `/v1/accounts/${id}/cards/card_new`, {
      body: { type: 'debit', last4: '4242', bank: 'ICBC', reservedPhoneMasked: '138****5678', boundAt },
    });
    expect(bound.status).toBe(200);
    for (const n of [1, 2]) {
      const r = await record(id, {
        id: `vt_${n}`,
        kind: 'payment',
        amount: 10 * YUAN,
        status: 'completed',
        verified: true,
      });
      expect(r.status).toBe(201);
    }
    const two = await caps(id);
    expect(two.restoration).toMatchObject({ status: 'pending', cardBound: true, verifiedTransactions: 2 });
    expect(capOf(two, 'daily_receive_limit').restricted).toBe(true);
    const restoredAt = s.clock.now();
    expect(
      (
        await record(id, {
          id: 'vt_3',
          kind: 'payment',
          amount: 10 * YUAN,
          status: 'completed',
          verified: true,
        })
      ).status,
    ).toBe(201);

    const three = await caps(id);
    expect(three.restoration).toMatchObject({ status: 'restored', restoredAt, verifiedTransactions: 3 });
    expect(restrictedCodes(three)).toEqual([
      'login_extra_sms',
      'incoming_friend_requests',
      'moments_per_day',
      'third_party_grants',
      'api_quota_tier',
    ]);
    expect(capOf(three, 'daily_receive_limit')).toMatchObject({ value: 50_000 * YUAN, liftedAt: restoredAt });
    expect(capOf(three, 'withdrawals')).toMatchObject({ value: true, liftedAt: restoredAt });
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.history.paymentRestoredAt).toBe(restoredAt);

    const ops = (await s.call('GET', `/v1/accounts/${id}/operations`)).body as { id: string; kind: string }[];
    const restores = ops.filter((o) => o.kind === 'payment.restore');
    expect(restores).toHaveLength(1);
    const op = (await s.call('GET', `/v1/accounts/${id}/operations/${restores[0]!.id}`)).body;
    expect(op).toMatchObject({ state: 'completed', outcome: 'completed' });
    expect(op.timeline.map((t: { state: string }) => t.state)).toEqual(['started', 'completed']);
    expect(op.timeline[1]).toMatchObject({
      actor: 'system',
      event: 'complete',
      data: {
        rule: 'R-REV-7',
        liftedBy: 'verified_transaction',
        transactionId: 'vt_3',
        cardsBoundSinceRevocation: 1,
        verifiedTransactionsSinceRevocation: 3,
        required: 3,
      },
    });

    // once: a 4th verified transaction restores nothing more, and the user-started one has nothing to do
    await record(id, { id: 'vt_4', kind: 'payment', amount: 10 * YUAN, status: 'completed', verified: true });
    const again = (await s.call('GET', `/v1/accounts/${id}/operations`)).body as { kind: string }[];
    expect(again.filter((o) => o.kind === 'payment.restore')).toHaveLength(1);
    const pre = await s.call('GET', `/v1/accounts/${id}/operations/payment-restore/preflight`);
    expect(pre.body.blockers.map((b: { code: string }) => b.code)).toEqual(['NOTHING_TO_RESTORE']);
    // a receive above ¥2,000 is now within the ¥50,000 limit
    expect((await record(id, { kind: 'receive', amount: 3_000 * YUAN, status: 'completed' })).status).toBe(
      201,
    );
  });

  it('R-REV-7 the card bound last lifts them too, and the timeline says so', async () => {
    const { id } = await revokedAccount();
    for (const n of [1, 2, 3]) {
      await record(id, {
        id: `vc_${n}`,
        kind: 'transfer',
        amount: YUAN,
        status: 'completed',
        verified: true,
      });
    }
    // unverified or pending transactions do not count
    await record(id, { id: 'vc_x', kind: 'payment', amount: YUAN, status: 'completed' });
    expect((await caps(id)).restoration).toMatchObject({
      status: 'pending',
      verifiedTransactions: 3,
      cardBound: false,
    });
    await s.call('PUT', `/v1/accounts/${id}/cards/card_back`, {
      body: {
        type: 'credit',
        last4: '1111',
        bank: 'CMB',
        reservedPhoneMasked: '138****5678',
        boundAt: s.clock.now(),
      },
    });
    expect((await caps(id)).restoration.status).toBe('restored');
    const ops = (await s.call('GET', `/v1/accounts/${id}/operations`)).body as { id: string; kind: string }[];
    const op = (
      await s.call(
        'GET',
        `/v1/accounts/${id}/operations/${ops.find((o) => o.kind === 'payment.restore')!.id}`,
      )
    ).body;
    expect(op.timeline.at(-1).data).toMatchObject({ liftedBy: 'card_bound', cardId: 'card_back' });
  });

  it('R-REV-4 a payment recorded while the revocation is undecided (pending_recycle) interrupts it: compensating with the reason on its timeline, the payment kept', async () => {
    const { id, opId, release } = await revocationHeldInPendingRecycle();
    const paid = await record(id, { id: 'tx_during', kind: 'payment', amount: 88 * YUAN, status: 'pending' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body).toEqual({ id: 'tx_during', interruptedOperationId: opId });
    const interrupted = (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
    expect(interrupted.state).toBe('compensating');
    expect(interrupted.timeline.at(-1)).toMatchObject({
      state: 'compensating',
      event: 'abort',
      actor: 'system',
      data: {
        rule: 'R-REV-4',
        reason: 'REVOCATION_INTERRUPTED_BY_FUNDS',
        transactionId: 'tx_during',
        transactionKind: 'payment',
        amount: 88 * YUAN,
      },
    });
    const audit = (await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body as { action: string }[];
    expect(audit.map((a) => a.action)).toContain('realname.revoke.interrupted');

    release();
    expect(await s.rn.services.saga.run(opId)).toBe('compensated');
    const account = (await s.call('GET', `/v1/accounts/${id}`)).body;
    expect(account.identity.status).toBe('verified');
    expect(account.wallet.pendingTransactions).toMatchObject([
      { id: 'tx_during', kind: 'payment', amount: 88 * YUAN },
    ]);
    expect(restrictedCodes(await caps(id))).toEqual([]);
  });

  it('R-REV-4 a receipt or a refund does not interrupt a revocation; a refused fund operation does not either', async () => {
    const { id, opId, release } = await revocationHeldInPendingRecycle();
    expect(
      (await record(id, { kind: 'receive', amount: YUAN, status: 'completed' })).body,
    ).not.toHaveProperty('interruptedOperationId');
    expect((await record(id, { kind: 'refund', amount: YUAN, status: 'completed' })).status).toBe(201);
    // ¥50,000 after the ¥1 received today passes the unrestricted limit: refused, so nothing was
    // recorded that could interrupt
    expect((await record(id, { kind: 'receive', amount: 50_000 * YUAN, status: 'completed' })).status).toBe(
      422,
    );
    expect((await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body.state).toBe('pending_recycle');
    release();
    expect(await s.rn.services.saga.run(opId)).toBe('revoked');
  });

  it('R-REV-4 a revocation already committing is not interrupted: the payment is recorded, checked as usual, and the revocation completes', async () => {
    const g = gate();
    hold.commit = g.wait;
    const asked = new Promise<void>((r) => (hold.onCommit = r));
    const id = await revocableAccount(s, { grants: 1 });
    const opId = await startRevocation(s, id);
    const running = s.rn.services.saga.run(opId);
    // the payment participant is asked to commit: the decision (committing) is recorded
    await asked;
    hold.onCommit = null;
    expect((await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body.state).toBe('committing');
    const paid = await record(id, { id: 'tx_late', kind: 'payment', amount: 5 * YUAN, status: 'completed' });
    expect(paid.status).toBe(201);
    expect(paid.body).toEqual({ id: 'tx_late' });
    expect((await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body.state).toBe('committing');
    hold.commit = null;
    g.open();
    expect(await running).toBe('revoked');
    const audit = (await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body as {
      action: string;
      data: { id?: string };
    }[];
    expect(audit.some((a) => a.action === 'transaction.recorded' && a.data.id === 'tx_late')).toBe(true);
    expect(audit.map((a) => a.action)).not.toContain('realname.revoke.interrupted');
  });
});
