/**
 * Demo data: a set of accounts that between them show every blocker and let every operation run,
 * so that a fresh `npm start` has something real to look at. Built through the same use cases the
 * API uses (no direct SQL), so the demo also exercises audit and encryption. Idempotent: accounts
 * that exist are left alone.
 */
import type { AccountService } from '../../app/accounts.js';
import type { Actor } from '../../app/deps.js';
import { DAY_MS, HOUR_MS, type Clock } from '../../core/clock.js';
import { cnIdCheckDigit } from '../../core/document-number.js';
import type { AccountPatch } from '../../core/ports.js';
import type { Card, Region } from '../../core/model.js';

const YUAN = 10_000;
const ACTOR: Actor = { id: 'system:demo' };

/** A fictional but well-formed mainland ID number (GB 11643 check digit computed). */
export function demoIdNumber(seq: number, birth = '19900101'): string {
  const first17 = `110105${birth}${String(100 + (seq % 900)).padStart(3, '0')}`;
  return first17 + cnIdCheckDigit(first17);
}

interface DemoAccount {
  id: string;
  title: string;
  /** The title in Chinese (the web page's picker shows the one of the chosen language). */
  titleZh: string;
  region: Region;
  minor?: boolean;
  patch?: AccountPatch;
  identity?: { name: string; seq: number; birth?: string } | null;
  build?: (ctx: BuildCtx) => Promise<void>;
}

interface BuildCtx {
  id: string;
  now: number;
  accounts: AccountService;
}

function card(id: string, type: Card['type'], now: number, extra: Partial<Card> = {}): Card {
  const bank = type === 'overseas' ? 'HSBC Hong Kong' : type === 'credit' ? 'China Merchants Bank' : 'ICBC';
  return {
    id,
    type,
    last4: id.slice(-4).padStart(4, '0'),
    bank,
    reservedPhoneMasked: '138****5678',
    boundAt: now - 200 * DAY_MS,
    ...extra,
  };
}

async function primaryDevice(
  ctx: BuildCtx,
  platform: 'ios' | 'android' | 'harmonyos' = 'android',
  addedDaysAgo = 400,
  osVersion = '14',
) {
  await ctx.accounts.putFact(
    ctx.id,
    'devices',
    { id: 'dev_primary', platform, osVersion, primary: true, addedAt: ctx.now - addedDaysAgo * DAY_MS },
    ACTOR,
  );
  await ctx.accounts.putFact(
    ctx.id,
    'logins',
    { id: 'login_1', at: ctx.now - DAY_MS, deviceId: 'dev_primary', abnormal: false },
    ACTOR,
  );
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    id: 'demo_ready',
    titleZh: '成年、内地，没有任何阻碍：每项操作都能开始',
    title: 'Adult, mainland, nothing in the way: every operation can start',
    region: 'CN',
    identity: { name: '张三', seq: 1 },
    build: async (ctx) => primaryDevice(ctx),
  },
  {
    id: 'demo_busy',
    titleZh:
      '香港账户，集齐所有“静默”阻碍：零钱残余、红包、自动扣费、贷款、管理员身份、企业关联、商户、6 个应用',
    title:
      'Hong Kong account with every silent blocker: residue, red packet, auto-debits, loan, admin role, links, merchant, 6 apps',
    region: 'HK',
    identity: { name: '李小龙', seq: 2 },
    patch: {
      balance: 1_234 * YUAN + 56,
      payScoreEnabled: true,
      invoicesIssued: 4,
      merchant: { id: 'mch_demo', status: 'active' },
    },
    build: async (ctx) => {
      const { accounts, id, now } = ctx;
      await primaryDevice(ctx, 'ios', 3, '17.2');
      await accounts.putFact(
        id,
        'logins',
        { id: 'login_bad', at: now - 12 * DAY_MS, deviceId: 'dev_primary', abnormal: true },
        ACTOR,
      );
      for (const c of [
        card('card_d_1234', 'debit', now),
        card('card_c_4321', 'credit', now, { unbilled: 520 * YUAN }),
        card('card_o_9999', 'overseas', now, { crossBorderAgreement: true }),
      ]) {
        await accounts.putFact(id, 'cards', c, ACTOR);
      }
      await accounts.putFact(
        id,
        'subscriptions',
        {
          id: 'sub_video',
          merchant: 'Tencent Video',
          product: 'VIP monthly',
          amount: 25 * YUAN,
          active: true,
          nextChargeAt: now + 5 * DAY_MS,
        },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'subscriptions',
        {
          id: 'sub_music',
          merchant: 'QQ Music',
          product: 'Green diamond',
          amount: 15 * YUAN,
          active: true,
          nextChargeAt: now + 9 * DAY_MS,
        },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'loans',
        { id: 'loan_1', product: 'Weilidai', outstanding: 3_000 * YUAN },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'red_packets',
        { id: 'rp_1', amount: 66 * YUAN, status: 'unclaimed', expiresAt: now + 20 * HOUR_MS },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'pending_transactions',
        { id: 'tx_pending', kind: 'transfer', amount: 88 * YUAN, createdAt: now - HOUR_MS },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'admin_roles',
        { id: 'role_oa', kind: 'official_account', name: 'Tea House News' },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'enterprise_links',
        {
          id: 'ent_acme',
          enterprise: 'Acme Ltd',
          kind: 'attendance',
          active: true,
          adminRole: false,
          pendingApprovals: 2,
        },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'enterprise_links',
        {
          id: 'ent_beta',
          enterprise: 'Beta Pay',
          kind: 'enterprise_payment',
          active: true,
          adminRole: true,
          pendingApprovals: 0,
        },
        ACTOR,
      );
      await accounts.putFact(id, 'mini_programs', { id: 'mp_tea', name: 'Tea Order' }, ACTOR);
      for (let i = 0; i < 6; i++) {
        await accounts.grant(
          id,
          {
            appId: `app_demo_${i}`,
            appName: `Demo App ${i}`,
            developerId: `devorg_${i % 3}`,
            active: true,
            grantedAt: now - (100 + i) * DAY_MS,
          },
          ACTOR,
        );
      }
    },
  },
  {
    id: 'demo_cards',
    titleZh:
      '各类银行卡：借记卡（不限次数）、信用卡（每天 3 次，其中一张有未出账金额）、境外卡（每周 1 次，跨境支付协议已开通）',
    title:
      'Cards of every type: debit (no limit), credit (3 a day, one with an unbilled amount), overseas (1 a week, agreement on)',
    region: 'CN',
    identity: { name: '王芳', seq: 3 },
    build: async (ctx) => {
      await primaryDevice(ctx);
      const { accounts, id, now } = ctx;
      const cards = [
        card('card_d_0001', 'debit', now),
        card('card_c_0002', 'credit', now),
        card('card_c_0003', 'credit', now),
        card('card_c_0004', 'credit', now),
        card('card_c_0005', 'credit', now, { unbilled: 1_288 * YUAN }),
        card('card_o_0006', 'overseas', now, { crossBorderAgreement: true }),
        card('card_o_0007', 'overseas', now, { crossBorderAgreement: false }),
      ];
      for (const c of cards) await accounts.putFact(id, 'cards', c, ACTOR);
    },
  },
  {
    id: 'demo_residue',
    titleZh: '看不见的阻碍：钱包里还剩 ¥0.0050（别处显示为 ¥0.00）',
    title: 'The invisible blocker: ¥0.0050 left in the wallet (shown as ¥0.00 elsewhere)',
    region: 'CN',
    identity: { name: '赵敏', seq: 4 },
    patch: { balance: 50 },
    build: async (ctx) => primaryDevice(ctx),
  },
  {
    id: 'demo_minor',
    titleZh: '有监护人的未成年人：夜间时段、监护人验证、90 天冷静期、人工审核',
    title: 'A minor with a guardian: night window, guardian verification, 90-day cooling-off, manual review',
    region: 'CN',
    minor: true,
    identity: { name: '小明', seq: 5, birth: '20120305' },
    build: async (ctx) => primaryDevice(ctx, 'android', 300),
  },
  {
    id: 'demo_frozen',
    titleZh: '已冻结的账户：除申诉外什么都不能做',
    title: 'A frozen account: nothing runs but the appeal',
    region: 'CN',
    identity: { name: '陈静', seq: 6 },
    patch: { status: 'frozen', frozenReason: 'risk_control' },
    build: async (ctx) => primaryDevice(ctx),
  },
  {
    id: 'demo_changed',
    titleZh: '2 天前换了新主力手机（鸿蒙：两条短信验证码）：撤销实名须再等 7 天',
    title: 'A new primary phone 2 days ago (HarmonyOS: two SMS codes): revocation must wait 7 days',
    region: 'CN',
    identity: { name: '周杰', seq: 7 },
    build: async (ctx) => {
      await primaryDevice(ctx, 'harmonyos', 2, '4.2');
      await ctx.accounts.putFact(
        ctx.id,
        'devices',
        {
          id: 'dev_old',
          platform: 'android',
          osVersion: '12',
          primary: false,
          addedAt: ctx.now - 700 * DAY_MS,
        },
        ACTOR,
      );
    },
  },
  {
    id: 'demo_enterprise',
    titleZh: '三种企业微信关联，其中一个有企业管理员身份',
    title: 'Enterprise links of the three kinds, one with an enterprise admin role',
    region: 'CN',
    identity: { name: '孙丽', seq: 8 },
    build: async (ctx) => {
      await primaryDevice(ctx);
      const { accounts, id } = ctx;
      await accounts.putFact(
        id,
        'enterprise_links',
        {
          id: 'ent_att',
          enterprise: 'Acme Ltd',
          kind: 'attendance',
          active: true,
          adminRole: false,
          pendingApprovals: 1,
        },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'enterprise_links',
        {
          id: 'ent_crm',
          enterprise: 'Globex',
          kind: 'customer_contact',
          active: true,
          adminRole: false,
          pendingApprovals: 0,
        },
        ACTOR,
      );
      await accounts.putFact(
        id,
        'enterprise_links',
        {
          id: 'ent_pay',
          enterprise: 'Initech Pay',
          kind: 'enterprise_payment',
          active: true,
          adminRole: true,
          pendingApprovals: 3,
        },
        ACTOR,
      );
    },
  },
  {
    id: 'demo_eu',
    titleZh: '欧盟账户：导出需先签跨境传输协议；撤销实名会强制关闭支付',
    title: 'EU account: export needs the cross-border agreement; revocation force-closes payment',
    region: 'EU',
    identity: { name: 'Anna Schmidt', seq: 9 },
    build: async (ctx) => primaryDevice(ctx, 'ios', 500, '18.1'),
  },
  {
    id: 'demo_sea',
    titleZh: '东南亚账户：导出需先签本地数据存储协议',
    title: 'Southeast Asia account: export needs the local data-storage agreement',
    region: 'SEA',
    identity: { name: 'Nguyen Van An', seq: 10 },
    build: async (ctx) => primaryDevice(ctx),
  },
  {
    id: 'demo_unverified',
    titleZh: '尚未实名：请先绑定身份',
    title: 'No identity yet: bind one (POST …/identity)',
    region: 'CN',
    identity: null,
  },
];

/**
 * Create the demo accounts that do not exist yet.
 * @example await loadDemo({ accounts, clock, exists: (id) => store.account(id).then(Boolean) }, (done, total) => bar.update(done))
 */
export async function loadDemo(
  deps: { accounts: AccountService; clock: Clock; exists: (id: string) => Promise<boolean> },
  onProgress: (done: number, total: number, title: string) => void = () => undefined,
): Promise<{ created: string[]; existing: string[] }> {
  const created: string[] = [];
  const existing: string[] = [];
  let done = 0;
  for (const d of DEMO_ACCOUNTS) {
    if (await deps.exists(d.id)) {
      existing.push(d.id);
    } else {
      const seq = d.identity?.seq ?? 0;
      await deps.accounts.create(
        {
          id: d.id,
          region: d.region,
          phone: `+86 138${String(10_000_000 + seq * 7_919).slice(-8)}`,
          minor: d.minor ?? false,
        },
        ACTOR,
      );
      if (d.identity) {
        await deps.accounts.bindIdentity(
          d.id,
          {
            name: d.identity.name,
            documentType: 'cn_id',
            documentNumber: demoIdNumber(d.identity.seq, d.identity.birth),
          },
          ACTOR,
        );
      }
      const ctx = { id: d.id, now: deps.clock.now(), accounts: deps.accounts };
      await d.build?.(ctx);
      if (d.patch) await deps.accounts.update(d.id, d.patch, ACTOR);
      created.push(d.id);
    }
    done++;
    onProgress(done, DEMO_ACCOUNTS.length, d.title);
  }
  return { created, existing };
}
