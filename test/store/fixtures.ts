/** Shared data of the store contract suite: accounts, identities and one row of every fact kind. */
import { createHash } from 'node:crypto';
import { DAY_MS } from '../../src/core/clock.js';
import type { FactKind, FactRows, IdentityWrite, Store } from '../../src/core/ports.js';
import { NOON } from '../support/facts.js';

export { NOON };

/** PII that must never appear in clear at rest. */
export const PHONE = '+86 138 1234 5678';
export const PHONE_DIGITS = '13812345678';
export const EMAIL = 'zhang.sanfeng@example.com';
export const NAME = '张三丰';
export const DOCUMENT = '11010519491231002X';
export const OTHER_NAME = 'Li Siguang';
export const OTHER_DOCUMENT = '440524188001010014';

/** Create an account with phone and email, audited as the platform. */
export async function seedAccount(store: Store, id: string, at = NOON - 900 * DAY_MS): Promise<void> {
  await store.createAccount(
    { id, region: 'CN', phone: PHONE, email: EMAIL, createdAt: at },
    { at, actor: 'platform:key_test', action: 'account.created', data: { region: 'CN' } },
  );
}

/** A stand-in for ids.ts documentKey: a hash, never the number itself. */
export function docKey(documentNumber: string): string {
  return `dk_${createHash('sha256').update(documentNumber).digest('base64url')}`;
}

export function identity(
  documentNumber = DOCUMENT,
  name = NAME,
  documentKey = docKey(documentNumber),
): IdentityWrite {
  return {
    name,
    documentType: 'cn_id',
    documentNumber,
    documentKey,
    status: 'verified',
    verifiedAt: NOON - 800 * DAY_MS,
    changedAt: null,
  };
}

/** Two rows of every fact kind, with every optional field set in one and left out in the other. */
export function sampleFacts(): { [K in FactKind]: FactRows[K][] } {
  return {
    devices: [
      { id: 'dev_a', platform: 'ios', osVersion: '17.2', primary: true, addedAt: NOON - 400 * DAY_MS },
      { id: 'dev_b', platform: 'harmonyos', osVersion: null, primary: false, addedAt: NOON - 3 * DAY_MS },
    ],
    logins: [
      { id: 'login_a', at: NOON - DAY_MS, deviceId: 'dev_a', abnormal: false },
      { id: 'login_b', at: NOON - 2 * DAY_MS, deviceId: 'dev_b', abnormal: true },
    ],
    cards: [
      {
        id: 'card_a',
        type: 'credit',
        last4: '4321',
        bank: 'CMB',
        reservedPhoneMasked: '138****5678',
        unbilled: 5_200_000,
        boundAt: NOON - 200 * DAY_MS,
      },
      {
        id: 'card_b',
        type: 'overseas',
        last4: '9999',
        bank: 'HSBC HK',
        reservedPhoneMasked: '+852 ****1234',
        crossBorderAgreement: true,
        boundAt: NOON - 100 * DAY_MS,
      },
      {
        id: 'card_c',
        type: 'debit',
        last4: '0001',
        bank: 'ICBC',
        reservedPhoneMasked: '139****0000',
        boundAt: 1,
      },
    ],
    subscriptions: [
      {
        id: 'sub_a',
        merchant: 'Tencent Video',
        product: 'VIP',
        amount: 250_000,
        active: true,
        nextChargeAt: NOON + 5 * DAY_MS,
      },
      { id: 'sub_b', merchant: 'Didi', product: 'Auto-pay', amount: 0, active: false, nextChargeAt: null },
    ],
    // Beyond 32 bits on purpose: 9 billion yuan in ten-thousandths.
    loans: [{ id: 'loan_a', product: 'Weilidai', outstanding: 90_000_000_000_000 }],
    red_packets: [
      { id: 'rp_a', amount: 660_000, status: 'unclaimed', expiresAt: NOON + 3_600_000 },
      { id: 'rp_b', amount: 1, status: 'refunded', expiresAt: NOON - DAY_MS },
    ],
    pending_transactions: [{ id: 'tx_a', kind: 'withdrawal', amount: 880_000, createdAt: NOON - 60_000 }],
    admin_roles: [{ id: 'role_a', kind: 'mini_program', name: 'Tea Order' }],
    enterprise_links: [
      {
        id: 'ent_a',
        enterprise: 'Acme Ltd',
        kind: 'customer_contact',
        active: true,
        adminRole: true,
        pendingApprovals: 2,
      },
    ],
    mini_programs: [{ id: 'mp_a', name: 'Tea Order' }],
    grants: [
      {
        appId: 'app_a',
        appName: 'Reader',
        developerId: 'devorg_1',
        openId: 'oAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        unionId: 'uAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        active: true,
        grantedAt: NOON - 50 * DAY_MS,
      },
    ],
  };
}
