/**
 * `npm run bench -- preflight`: the `realname.revoke` preflight over a realistic, busy account
 * (every rule evaluated, all blockers collected, messages resolved in both languages), against the
 * same rules written for json-rules-engine, for json-logic-js, and as hand-written plain functions.
 *
 * The three references share one `derive` step (the plain-JS facts a rules engine is fed: filtered
 * lists, the latest abnormal login, the Shanghai time of day) and build blockers with the same
 * `blocker()` builder as the core, so every implementation does the same message work. Before
 * timing, the bench checks that all four return the same blockers.
 */
import jsonLogic from 'json-logic-js';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { DAY_MS } from '../src/core/clock.js';
import {
  blocker,
  localized,
  localizedRemediation,
  type Blocker,
  type BlockerCode,
  type Params,
} from '../src/core/errors/index.js';
import { hasSubCentResidue, subCentResidue, wholeCents } from '../src/core/money.js';
import type { AccountFacts } from '../src/core/model.js';
import { busyFacts, NOON } from '../test/support/facts.js';
import { policy, preflight } from '../test/support/preflight.js';
import { compare, measure, printLines } from './lib.js';

const facts = busyFacts();
const now = NOON + 2 * 3_600_000; // 14:00, outside every window
const context = { deviceId: 'dev_primary' };
const rules = policy.rulesFor(facts.account.region);
const SHANGHAI = 8 * 3_600_000;
const LIFECYCLE = new Set([
  'account.delete',
  'card.unbind',
  'realname.change',
  'realname.revoke',
  'enterprise.detach',
]);
const hm = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
};
const night = { start: hm(rules.minors.nightWindow.start), end: hm(rules.minors.nightWindow.end) };

// ── The core: the real preflight, consequences and all.
const core = () => preflight({ facts, request: { kind: 'realname.revoke' }, now, context });

// ── Plain functions: the revoke rules written by hand, blockers only.
function plain(f: AccountFacts, t: number): Blocker[] {
  const out: Blocker[] = [];
  const s = f.account.status;
  if (s === 'frozen') out.push(blocker('ACCOUNT_FROZEN'));
  else if (s === 'banned') out.push(blocker('ACCOUNT_BANNED'));
  else if (s === 'deactivating')
    out.push(blocker('ACCOUNT_DEACTIVATING', { until: f.account.deactivatingUntil ?? null }));
  else if (s === 'deleted') out.push(blocker('ACCOUNT_DELETED'));
  for (const op of f.openOperations) {
    if (LIFECYCLE.has(op.kind))
      out.push(blocker('OPERATION_IN_PROGRESS', { operationId: op.id, operationKind: op.kind }));
  }
  if (f.account.minor) {
    const tod = (t + SHANGHAI) % DAY_MS;
    if (tod >= night.start || tod < night.end) {
      out.push(
        blocker('MINOR_NIGHT_WINDOW', {
          start: rules.minors.nightWindow.start,
          end: rules.minors.nightWindow.end,
          retryAt: t - tod + night.end + (tod >= night.start ? DAY_MS : 0),
        }),
      );
    }
  }
  const idStatus = f.identity?.status ?? 'unverified';
  if (idStatus !== 'verified' && idStatus !== 'pending_completion')
    out.push(blocker('IDENTITY_NOT_VERIFIED', { status: idStatus }));
  const bal = f.wallet.balance;
  if (bal !== 0 && wholeCents(bal) !== 0) out.push(blocker('BALANCE_NOT_ZERO', { amount: bal }));
  if (hasSubCentResidue(bal)) out.push(blocker('BALANCE_RESIDUE', { residue: subCentResidue(bal) }));
  for (const x of f.wallet.pendingTransactions)
    out.push(
      blocker('PENDING_TRANSACTION', { transactionId: x.id, transactionKind: x.kind, amount: x.amount }),
    );
  if (f.wallet.payScoreEnabled) out.push(blocker('PAY_SCORE_ENABLED'));
  for (const x of f.subscriptions)
    if (x.active)
      out.push(
        blocker('SUBSCRIPTION_ACTIVE', {
          subscriptionId: x.id,
          merchant: x.merchant,
          product: x.product,
          amount: x.amount,
        }),
      );
  for (const r of f.adminRoles)
    out.push(blocker('ADMIN_ROLE_HELD', { roleId: r.id, roleKind: r.kind, name: r.name }));
  for (const l of f.loans)
    if (l.outstanding > 0)
      out.push(blocker('LOAN_OUTSTANDING', { loanId: l.id, product: l.product, outstanding: l.outstanding }));
  for (const r of f.redPackets)
    if (r.status === 'unclaimed')
      out.push(
        blocker('RED_PACKET_UNCLAIMED', {
          redPacketId: r.id,
          amount: r.amount,
          expiresAt: Math.max(r.expiresAt, t),
        }),
      );
  const within = (at: number, days: number) => at <= t && at > t - days * DAY_MS;
  let abnormal: number | null = null;
  for (const l of f.logins)
    if (
      l.abnormal &&
      within(l.at, rules.revoke.abnormalLoginLookbackDays) &&
      (abnormal === null || l.at > abnormal)
    )
      abnormal = l.at;
  if (abnormal !== null)
    out.push(
      blocker('ABNORMAL_LOGIN_RECENT', { at: abnormal, days: rules.revoke.abnormalLoginLookbackDays }),
    );
  const dev = f.devices.find((d) => d.id === context.deviceId);
  if (!dev || !dev.primary) out.push(blocker('NOT_PRIMARY_DEVICE', { deviceId: context.deviceId }));
  const primary = f.devices.find((d) => d.primary);
  const dd = rules.revoke.deviceChangeLookbackDays;
  if (primary && within(primary.addedAt, dd))
    out.push(blocker('DEVICE_CHANGED_RECENTLY', { days: dd, retryAt: primary.addedAt + dd * DAY_MS }));
  let last: number | null = null;
  for (const c of f.history.realnameChanges) if (last === null || c.at > last) last = c.at;
  const cd = rules.revoke.recentChangeDays;
  if (last !== null && within(last, cd))
    out.push(blocker('REALNAME_CHANGED_RECENTLY', { days: cd, retryAt: last + cd * DAY_MS }));
  for (const l of f.enterpriseLinks)
    if (l.active)
      out.push(
        blocker('ENTERPRISE_LINK_ACTIVE', { linkId: l.id, enterprise: l.enterprise, linkKind: l.kind }),
      );
  if (rules.region.fundFlowDeclarationRequired && !f.declarations.fundFlowDeclaredAt)
    out.push(blocker('FUND_FLOW_DECLARATION_REQUIRED', { region: f.account.region }));
  return out;
}

// ── What a rules engine is fed: plain-JS derived facts (shared by both engine references).
function derive(f: AccountFacts, t: number) {
  const within = (at: number, days: number) => at <= t && at > t - days * DAY_MS;
  let abnormal: number | null = null;
  for (const l of f.logins)
    if (
      l.abnormal &&
      within(l.at, rules.revoke.abnormalLoginLookbackDays) &&
      (abnormal === null || l.at > abnormal)
    )
      abnormal = l.at;
  let lastChange: number | null = null;
  for (const c of f.history.realnameChanges) if (lastChange === null || c.at > lastChange) lastChange = c.at;
  const dev = f.devices.find((d) => d.id === context.deviceId);
  const primary = f.devices.find((d) => d.primary);
  return {
    now: t,
    status: f.account.status,
    deactivatingUntil: f.account.deactivatingUntil ?? null,
    minor: f.account.minor,
    timeOfDay: (t + SHANGHAI) % DAY_MS,
    identityStatus: f.identity?.status ?? 'unverified',
    balance: f.wallet.balance,
    balanceWhole: wholeCents(f.wallet.balance),
    residue: subCentResidue(f.wallet.balance),
    payScore: f.wallet.payScoreEnabled,
    region: f.account.region,
    fundFlowRequired: rules.region.fundFlowDeclarationRequired,
    fundFlowDeclared: Boolean(f.declarations.fundFlowDeclaredAt),
    lastAbnormalAt: abnormal,
    requestFromPrimary: Boolean(dev?.primary),
    primaryAddedAgeMs: primary ? t - primary.addedAt : null,
    primaryAddedAt: primary?.addedAt ?? null,
    lastChangeAgeMs: lastChange === null ? null : t - lastChange,
    lastChangeAt: lastChange,
    openOperations: f.openOperations,
    pendingTransactions: f.wallet.pendingTransactions,
    subscriptions: f.subscriptions,
    adminRoles: f.adminRoles,
    loans: f.loans,
    redPackets: f.redPackets,
    enterpriseLinks: f.enterpriseLinks,
  };
}
type Derived = ReturnType<typeof derive>;

/** Per-item rules: which list, the item predicate, and the blocker params. */
type Item = Record<string, unknown>;
const ITEM_RULES: {
  code: BlockerCode;
  list: keyof Derived;
  logic: object;
  params: (x: Item, d: Derived) => Params;
}[] = [
  {
    code: 'OPERATION_IN_PROGRESS',
    list: 'openOperations',
    logic: { in: [{ var: 'kind' }, [...LIFECYCLE]] },
    params: (x) => ({ operationId: x.id as string, operationKind: x.kind as string }),
  },
  {
    code: 'PENDING_TRANSACTION',
    list: 'pendingTransactions',
    logic: { '!!': [{ var: 'id' }] },
    params: (x) => ({
      transactionId: x.id as string,
      transactionKind: x.kind as string,
      amount: x.amount as number,
    }),
  },
  {
    code: 'SUBSCRIPTION_ACTIVE',
    list: 'subscriptions',
    logic: { '==': [{ var: 'active' }, true] },
    params: (x) => ({
      subscriptionId: x.id as string,
      merchant: x.merchant as string,
      product: x.product as string,
      amount: x.amount as number,
    }),
  },
  {
    code: 'ADMIN_ROLE_HELD',
    list: 'adminRoles',
    logic: { '!!': [{ var: 'id' }] },
    params: (x) => ({ roleId: x.id as string, roleKind: x.kind as string, name: x.name as string }),
  },
  {
    code: 'LOAN_OUTSTANDING',
    list: 'loans',
    logic: { '>': [{ var: 'outstanding' }, 0] },
    params: (x) => ({
      loanId: x.id as string,
      product: x.product as string,
      outstanding: x.outstanding as number,
    }),
  },
  {
    code: 'RED_PACKET_UNCLAIMED',
    list: 'redPackets',
    logic: { '==': [{ var: 'status' }, 'unclaimed'] },
    params: (x, d) => ({
      redPacketId: x.id as string,
      amount: x.amount as number,
      expiresAt: Math.max(x.expiresAt as number, d.now),
    }),
  },
  {
    code: 'ENTERPRISE_LINK_ACTIVE',
    list: 'enterpriseLinks',
    logic: { '==': [{ var: 'active' }, true] },
    params: (x) => ({
      linkId: x.id as string,
      enterprise: x.enterprise as string,
      linkKind: x.kind as string,
    }),
  },
];

const days = (n: number) => n * DAY_MS;
/** Account-level rules in json-logic, in the same order as the core's. */
const SCALAR_RULES: { code: BlockerCode; logic: object; params: (d: Derived) => Params }[] = [
  { code: 'ACCOUNT_FROZEN', logic: { '==': [{ var: 'status' }, 'frozen'] }, params: () => ({}) },
  { code: 'ACCOUNT_BANNED', logic: { '==': [{ var: 'status' }, 'banned'] }, params: () => ({}) },
  {
    code: 'ACCOUNT_DEACTIVATING',
    logic: { '==': [{ var: 'status' }, 'deactivating'] },
    params: (d) => ({ until: d.deactivatingUntil }),
  },
  { code: 'ACCOUNT_DELETED', logic: { '==': [{ var: 'status' }, 'deleted'] }, params: () => ({}) },
  {
    code: 'MINOR_NIGHT_WINDOW',
    logic: {
      and: [
        { var: 'minor' },
        { or: [{ '>=': [{ var: 'timeOfDay' }, night.start] }, { '<': [{ var: 'timeOfDay' }, night.end] }] },
      ],
    },
    params: (d) => ({
      start: rules.minors.nightWindow.start,
      end: rules.minors.nightWindow.end,
      retryAt: d.now - d.timeOfDay + night.end + (d.timeOfDay >= night.start ? DAY_MS : 0),
    }),
  },
  {
    code: 'IDENTITY_NOT_VERIFIED',
    logic: { '!': { in: [{ var: 'identityStatus' }, ['verified', 'pending_completion']] } },
    params: (d) => ({ status: d.identityStatus }),
  },
  {
    code: 'BALANCE_NOT_ZERO',
    logic: { '!=': [{ var: 'balanceWhole' }, 0] },
    params: (d) => ({ amount: d.balance }),
  },
  {
    code: 'BALANCE_RESIDUE',
    logic: { '!=': [{ var: 'residue' }, 0] },
    params: (d) => ({ residue: d.residue }),
  },
  { code: 'PAY_SCORE_ENABLED', logic: { '==': [{ var: 'payScore' }, true] }, params: () => ({}) },
  {
    code: 'ABNORMAL_LOGIN_RECENT',
    logic: { '!=': [{ var: 'lastAbnormalAt' }, null] },
    params: (d) => ({ at: d.lastAbnormalAt, days: rules.revoke.abnormalLoginLookbackDays }),
  },
  {
    code: 'NOT_PRIMARY_DEVICE',
    logic: { '!': [{ var: 'requestFromPrimary' }] },
    params: () => ({ deviceId: context.deviceId }),
  },
  {
    code: 'DEVICE_CHANGED_RECENTLY',
    logic: {
      and: [
        { '!=': [{ var: 'primaryAddedAgeMs' }, null] },
        { '>=': [{ var: 'primaryAddedAgeMs' }, 0] },
        { '<': [{ var: 'primaryAddedAgeMs' }, days(rules.revoke.deviceChangeLookbackDays)] },
      ],
    },
    params: (d) => ({
      days: rules.revoke.deviceChangeLookbackDays,
      retryAt: (d.primaryAddedAt ?? 0) + days(rules.revoke.deviceChangeLookbackDays),
    }),
  },
  {
    code: 'REALNAME_CHANGED_RECENTLY',
    logic: {
      and: [
        { '!=': [{ var: 'lastChangeAgeMs' }, null] },
        { '>=': [{ var: 'lastChangeAgeMs' }, 0] },
        { '<': [{ var: 'lastChangeAgeMs' }, days(rules.revoke.recentChangeDays)] },
      ],
    },
    params: (d) => ({
      days: rules.revoke.recentChangeDays,
      retryAt: (d.lastChangeAt ?? 0) + days(rules.revoke.recentChangeDays),
    }),
  },
  {
    code: 'FUND_FLOW_DECLARATION_REQUIRED',
    logic: { and: [{ var: 'fundFlowRequired' }, { '!': [{ var: 'fundFlowDeclared' }] }] },
    params: (d) => ({ region: d.region }),
  },
];

/** Order blockers the way the core reports them, so that outputs compare equal. */
const ORDER: BlockerCode[] = [
  'ACCOUNT_FROZEN',
  'ACCOUNT_BANNED',
  'ACCOUNT_DEACTIVATING',
  'ACCOUNT_DELETED',
  'OPERATION_IN_PROGRESS',
  'MINOR_NIGHT_WINDOW',
  'IDENTITY_NOT_VERIFIED',
  'BALANCE_NOT_ZERO',
  'BALANCE_RESIDUE',
  'PENDING_TRANSACTION',
  'PAY_SCORE_ENABLED',
  'SUBSCRIPTION_ACTIVE',
  'ADMIN_ROLE_HELD',
  'LOAN_OUTSTANDING',
  'RED_PACKET_UNCLAIMED',
  'ABNORMAL_LOGIN_RECENT',
  'NOT_PRIMARY_DEVICE',
  'DEVICE_CHANGED_RECENTLY',
  'REALNAME_CHANGED_RECENTLY',
  'ENTERPRISE_LINK_ACTIVE',
  'FUND_FLOW_DECLARATION_REQUIRED',
];
const rank = new Map(ORDER.map((c, i) => [c, i]));
const byRank = (a: Blocker, b: Blocker) => (rank.get(a.code) ?? 0) - (rank.get(b.code) ?? 0);

function viaJsonLogic(f: AccountFacts, t: number): Blocker[] {
  const d = derive(f, t);
  const out: Blocker[] = [];
  for (const r of SCALAR_RULES) if (jsonLogic.apply(r.logic, d)) out.push(blocker(r.code, r.params(d)));
  for (const r of ITEM_RULES) {
    for (const x of d[r.list] as unknown as Item[]) {
      if (jsonLogic.apply(r.logic, x)) out.push(blocker(r.code, r.params(x, d)));
    }
  }
  return out.sort(byRank);
}

// json-rules-engine: the same rules as JRE rules over the derived facts. Per-item rules read lists
// through a custom operator and the glue turns each matching item into a blocker.
const engine = new Engine([], { allowUndefinedFacts: true });
engine.addOperator(
  'matchesAny',
  (list: unknown, rule: unknown) =>
    Array.isArray(list) &&
    list.some((x) => jsonLogic.truthy(jsonLogic.apply(rule as jsonLogic.RulesLogic, x))),
);
const JRE_OPS: Record<string, string> = {
  '==': 'equal',
  '!=': 'notEqual',
  '>=': 'greaterThanInclusive',
  '<': 'lessThan',
  '>': 'greaterThan',
};
function toJre(logic: Record<string, unknown>): RuleProperties['conditions'] {
  const [op, args] = Object.entries(logic)[0] as [string, unknown];
  if (op === 'and') return { all: (args as Record<string, unknown>[]).map((a) => toJre(a)) };
  if (op === 'or') return { any: (args as Record<string, unknown>[]).map((a) => toJre(a)) };
  if (op === '!' && Array.isArray(args) && typeof args[0] === 'object' && args[0] && 'var' in args[0]) {
    return { all: [{ fact: (args[0] as { var: string }).var, operator: 'notEqual', value: true }] };
  }
  if (op === '!' && !Array.isArray(args)) {
    const inner = (args as { in: [{ var: string }, string[]] }).in;
    return { all: [{ fact: inner[0].var, operator: 'notIn', value: inner[1] }] };
  }
  if (op === 'var') return { all: [{ fact: args as string, operator: 'equal', value: true }] };
  const [left, right] = args as [{ var: string }, unknown];
  return { all: [{ fact: left.var, operator: JRE_OPS[op] ?? 'equal', value: right as never }] };
}
for (const [i, r] of SCALAR_RULES.entries()) {
  engine.addRule({
    name: r.code,
    priority: 100 - i,
    conditions: toJre(r.logic as Record<string, unknown>),
    event: { type: r.code },
  });
}
for (const r of ITEM_RULES) {
  engine.addRule({
    name: r.code,
    conditions: { all: [{ fact: r.list, operator: 'matchesAny', value: r.logic as never }] },
    event: { type: r.code, params: { list: r.list } },
  });
}

async function viaJre(f: AccountFacts, t: number): Promise<Blocker[]> {
  const d = derive(f, t);
  const { events } = await engine.run(d);
  const out: Blocker[] = [];
  for (const e of events) {
    const code = e.type as BlockerCode;
    const item = ITEM_RULES.find((r) => r.code === code);
    if (item) {
      for (const x of d[item.list] as unknown as Item[]) {
        if (jsonLogic.apply(item.logic, x)) out.push(blocker(code, item.params(x, d)));
      }
    } else {
      out.push(
        blocker(code, (SCALAR_RULES.find((r) => r.code === code) as (typeof SCALAR_RULES)[number]).params(d)),
      );
    }
  }
  return out.sort(byRank);
}

export async function main(): Promise<void> {
  // The four must agree before any of them is timed.
  const expected = core().blockers;
  const same = (name: string, got: Blocker[]) => {
    const a = JSON.stringify(expected);
    const b = JSON.stringify(got);
    if (a !== b)
      throw new Error(
        `${name} disagrees with the core:\n core: ${expected.map((x) => x.code).join(',')}\n ${name}: ${got.map((x) => x.code).join(',')}`,
      );
  };
  same('plain-functions', plain(facts, now));
  same('json-logic-js', viaJsonLogic(facts, now));
  same('json-rules-engine', await viaJre(facts, now));
  console.error(
    `# revoke preflight over a busy account: ${expected.length} blockers, ${core().consequences.length} consequences`,
  );

  // The floor under every implementation: only rendering the texts this preflight returns (each
  // blocker's message and remediation, each warning and consequence, in both languages), no rule
  // evaluated. A target ratio above this line's cannot be met while the messages are resolved.
  const result = core();
  const texts = [...result.blockers, ...result.warnings, ...result.consequences];
  const messagesOnly = () => {
    for (const x of texts) {
      localized(x.code, x.params);
      localizedRemediation(x.code, x.params);
    }
  };
  console.error(`# messages-only: the ${texts.length} texts of the result rendered in both languages`);

  const coreM = await measure(core);
  const messagesM = await measure(messagesOnly);
  const plainM = await measure(() => plain(facts, now));
  const logicM = await measure(() => viaJsonLogic(facts, now));
  const jreM = await measure(() => viaJre(facts, now), { rounds: 5, roundMs: 400 });
  const v = coreM.opsPerSec;
  printLines([
    compare('preflight', 'revoke', v, 'ops/s', 'json-rules-engine', jreM.opsPerSec),
    compare('preflight', 'revoke', v, 'ops/s', 'json-logic-js', logicM.opsPerSec),
    compare('preflight', 'revoke', v, 'ops/s', 'plain-functions', plainM.opsPerSec),
    compare('preflight', 'messages-only', messagesM.opsPerSec, 'ops/s', 'json-rules-engine', jreM.opsPerSec),
  ]);
}
