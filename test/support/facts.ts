/**
 * Fact sets for tests and benchmarks. `cleanFacts` passes every rule of every lifecycle operation
 * (for a request from its primary device, at noon); tests then add exactly the condition they probe.
 */
import { DAY_MS } from '../../src/core/clock.js';
import { shanghaiDateTime } from '../../src/core/calendar.js';
import { emptyHistory, type AccountFacts } from '../../src/core/model.js';

/** Noon on an ordinary Wednesday (2026-11-18, Asia/Shanghai): outside every time window. */
export const NOON = shanghaiDateTime(2026, 11, 18, 12, 0);
export const YUAN = 10_000;

export function cleanFacts(now = NOON): AccountFacts {
  return {
    account: {
      id: 'acc_clean',
      region: 'CN',
      status: 'active',
      phoneMasked: '+86 138****5678',
      minor: false,
      createdAt: now - 900 * DAY_MS,
    },
    devices: [
      { id: 'dev_primary', platform: 'android', osVersion: '14', primary: true, addedAt: now - 400 * DAY_MS },
    ],
    logins: [{ at: now - DAY_MS, deviceId: 'dev_primary', abnormal: false }],
    identity: {
      status: 'verified',
      documentType: 'cn_id',
      documentMasked: '1****************X',
      nameMasked: '*三',
      documentKey: 'dk_clean',
      verifiedAt: now - 800 * DAY_MS,
      changedAt: null,
    },
    wallet: { balance: 0, pendingTransactions: [], payScoreEnabled: false, invoicesIssued: 0 },
    cards: [],
    subscriptions: [],
    loans: [],
    redPackets: [],
    merchant: null,
    adminRoles: [],
    enterpriseLinks: [],
    developerAssets: { miniPrograms: [], apiQuotaTier: 'standard' },
    grants: [],
    openOperations: [],
    history: emptyHistory(),
    declarations: {},
    openAppealId: null,
  };
}

/**
 * A realistic, busy account: cards of each type, subscriptions, a loan, red packets, a merchant
 * account, enterprise links, grants to 20 apps, months of history. Used by the preflight benchmark.
 */
export function busyFacts(now = NOON): AccountFacts {
  const f = cleanFacts(now);
  f.account.id = 'acc_busy';
  f.wallet = {
    balance: 1_234 * YUAN + 56,
    pendingTransactions: [{ id: 'tx_1', kind: 'transfer', amount: 88 * YUAN, createdAt: now - 3_600_000 }],
    payScoreEnabled: true,
    invoicesIssued: 4,
  };
  f.cards = [
    {
      id: 'card_d1',
      type: 'debit',
      last4: '1234',
      bank: 'ICBC',
      reservedPhoneMasked: '138****5678',
      boundAt: now - 300 * DAY_MS,
    },
    {
      id: 'card_c1',
      type: 'credit',
      last4: '4321',
      bank: 'CMB',
      reservedPhoneMasked: '138****5678',
      unbilled: 520 * YUAN,
      boundAt: now - 200 * DAY_MS,
    },
    {
      id: 'card_o1',
      type: 'overseas',
      last4: '9999',
      bank: 'HSBC HK',
      reservedPhoneMasked: '+852 ****1234',
      crossBorderAgreement: true,
      boundAt: now - 100 * DAY_MS,
    },
  ];
  f.subscriptions = [
    {
      id: 'sub_1',
      merchant: 'Tencent Video',
      product: 'VIP monthly',
      amount: 25 * YUAN,
      active: true,
      nextChargeAt: now + 5 * DAY_MS,
    },
    {
      id: 'sub_2',
      merchant: 'QQ Music',
      product: 'Green diamond',
      amount: 15 * YUAN,
      active: true,
      nextChargeAt: now + 9 * DAY_MS,
    },
    { id: 'sub_3', merchant: 'Didi', product: 'Auto-pay', amount: 0, active: false },
  ];
  f.loans = [{ id: 'loan_1', product: 'Weilidai', outstanding: 3_000 * YUAN }];
  f.redPackets = [
    { id: 'rp_1', amount: 66 * YUAN, status: 'unclaimed', expiresAt: now + 20 * 3_600_000 },
    { id: 'rp_2', amount: 8 * YUAN, status: 'claimed', expiresAt: now - DAY_MS },
  ];
  f.merchant = { id: 'mch_1', status: 'active' };
  f.adminRoles = [{ id: 'role_1', kind: 'official_account', name: 'Tea House News' }];
  f.enterpriseLinks = [
    {
      id: 'ent_1',
      enterprise: 'Acme Ltd',
      kind: 'attendance',
      active: true,
      adminRole: false,
      pendingApprovals: 2,
    },
    {
      id: 'ent_2',
      enterprise: 'Beta Pay',
      kind: 'enterprise_payment',
      active: true,
      adminRole: true,
      pendingApprovals: 0,
    },
  ];
  f.developerAssets = { miniPrograms: [{ id: 'mp_1', name: 'Tea Order' }], apiQuotaTier: 'standard' };
  f.grants = Array.from({ length: 20 }, (_, i) => ({
    appId: `app_${i}`,
    appName: `App ${i}`,
    developerId: `dev_org_${i % 5}`,
    openId: `o${i}xxxxxxxxxxxxxxxxxxxxxxxxxx`,
    unionId: `u${i % 5}xxxxxxxxxxxxxxxxxxxxxxxxxx`,
    active: true,
    grantedAt: now - (100 + i) * DAY_MS,
  }));
  f.devices = [
    { id: 'dev_old', platform: 'android', osVersion: '12', primary: false, addedAt: now - 700 * DAY_MS },
    { id: 'dev_primary', platform: 'ios', osVersion: '17.2', primary: true, addedAt: now - 3 * DAY_MS },
  ];
  f.logins = Array.from({ length: 60 }, (_, i) => ({
    at: now - i * DAY_MS,
    deviceId: i % 7 === 0 ? 'dev_old' : 'dev_primary',
    abnormal: i === 12,
  }));
  f.history.cardUnbinds = Array.from({ length: 10 }, (_, i) => ({
    at: now - i * 10 * DAY_MS,
    cardType: i % 3 === 0 ? ('credit' as const) : ('debit' as const),
  }));
  f.history.realnameChanges = [{ at: now - 40 * DAY_MS }];
  f.history.identityModifications = [{ at: now - 40 * DAY_MS }];
  f.account.region = 'HK';
  return f;
}
