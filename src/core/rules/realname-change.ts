/** Changing the real-name subject (更换实名): R-CHG-*, R-MIN-1/2. */
import { nextShanghaiMonthStart, sameShanghaiMonth, withinRollingDays } from '../calendar.js';
import { DAY_MS } from '../clock.js';
import { validateDocument, isMainland } from '../document-number.js';
import { blocker, consequence, warning, type Blocker } from '../errors/index.js';
import type { OperationRequest } from '../model.js';
import type { EffectiveRules } from '../policy/index.js';
import {
  accountStateRule,
  evidence,
  identityVerifiedRule,
  latest,
  minorNightRule,
  openOperationRule,
} from './common.js';
import type { OperationSpec, Preflight, Rule } from './types.js';

type Req = Extract<OperationRequest, { kind: 'realname.change' }>;

/** R-CHG-2: at least 90 days since the last change on this account. */
const intervalRule: Rule<Req> = {
  id: 'R-CHG-2',
  describe: 'At least 90 days since the last real-name change',
  check({ facts, now, rules }, out) {
    const last = latest(facts.history.realnameChanges, now);
    const days = rules.change.minDaysBetweenChanges;
    if (last !== null && withinRollingDays(last, now, days)) {
      out.push(blocker('REALNAME_CHANGE_TOO_SOON', { days, retryAt: last + days * DAY_MS }));
    }
  },
};

/** R-CHG-1: the new document must be a valid number (GB 11643 for mainland IDs). */
const documentRule: Rule<Req> = {
  id: 'R-CHG-1',
  describe: 'The new document number is valid',
  check({ request }, out) {
    const doc = request.newDocument;
    if (!doc) return;
    const v = validateDocument(doc.type, doc.number);
    if (!v.ok) out.push(blocker('DOCUMENT_INVALID', { documentType: doc.type, problem: v.problem }));
  },
};

/**
 * R-CHG-3: one document, at most 3 changes per 365 days across all accounts; the 4th attempt starts
 * a 180-day cooldown during which every attempt is refused with its end date.
 */
const documentLimitRule: Rule<Req> = {
  id: 'R-CHG-3',
  describe: 'Per-document limit across accounts, with cooldown',
  check({ request, now, rules }, out) {
    const usage = request.documentUsage;
    if (!usage) return;
    if (usage.cooldownUntil != null && usage.cooldownUntil > now) {
      out.push(blocker('DOCUMENT_COOLDOWN', { until: usage.cooldownUntil }));
      return;
    }
    const { perDocumentLimit: limit, perDocumentWindowDays: days, documentCooldownDays } = rules.change;
    let count = 0;
    for (const at of usage.changesAt) if (withinRollingDays(at, now, days)) count++;
    if (count >= limit) {
      out.push(blocker('DOCUMENT_CHANGE_LIMIT', { limit, days, cooldownDays: documentCooldownDays, count }));
    }
  },
};

/** R-MIN-2: a minor's identity is modified at most 2 times per calendar month. */
const minorMonthlyRule: Rule<Req> = {
  id: 'R-MIN-2',
  describe: 'Minor: at most 2 identity modifications per calendar month',
  check({ facts, now, rules }, out) {
    if (!facts.account.minor) return;
    const limit = rules.minors.identityModificationsPerMonth;
    let used = 0;
    for (const m of facts.history.identityModifications) if (sameShanghaiMonth(m.at, now)) used++;
    if (used >= limit)
      out.push(blocker('MINOR_MONTHLY_LIMIT', { limit, used, retryAt: nextShanghaiMonthStart(now) }));
  },
};

/**
 * An attempt (not a preflight) refused by the per-document limit starts the cooldown (R-CHG-3). The
 * app layer records the returned end date on the document when it refuses an actual start.
 */
export function documentCooldownAfterRefusal(
  blockers: readonly Pick<Blocker, 'code'>[] | Preflight['blockers'],
  now: number,
  rules: EffectiveRules,
): number | null {
  return blockers.some((b) => b.code === 'DOCUMENT_CHANGE_LIMIT')
    ? now + rules.change.documentCooldownDays * DAY_MS
    : null;
}

export const realnameChange: OperationSpec<Req> = {
  kind: 'realname.change',
  reads: ['grants'],
  rules: [
    accountStateRule,
    openOperationRule('realname.change'),
    minorNightRule,
    identityVerifiedRule,
    intervalRule,
    documentRule,
    documentLimitRule,
    minorMonthlyRule,
  ],
  warnings({ request, rules }) {
    const doc = request.newDocument;
    if (doc && !isMainland(doc.type)) {
      return [
        warning('NON_MAINLAND_REVIEW', {
          steps: rules.change.nonMainlandReviewSteps,
          hours: rules.change.nonMainlandReviewHours,
        }),
      ];
    }
    return [];
  },
  consequences({ facts, request, rules }) {
    const out = [consequence('CONSEQ_SUBJECT_OVERWRITTEN', 'data', false)];
    if (facts.wallet.invoicesIssued > 0) {
      out.push(consequence('CONSEQ_INVOICES_UPDATE', 'data', false, { count: facts.wallet.invoicesIssued }));
    }
    if (facts.grants.length > 0) {
      out.push(consequence('CONSEQ_APPS_NOTIFIED', 'notification', false, { count: facts.grants.length }));
    }
    const doc = request.newDocument;
    if (doc && !isMainland(doc.type)) {
      out.push(
        consequence('CONSEQ_MANUAL_REVIEW', 'time', true, {
          steps: rules.change.nonMainlandReviewSteps,
          hours: rules.change.nonMainlandReviewHours,
        }),
      );
    }
    return out;
  },
  evidence({ facts }) {
    // R-CHG-1: both sides of the new document, a liveness video, a phone code, bank reserved info.
    const out = [
      evidence('document_front', 'R-CHG-1'),
      evidence('document_back', 'R-CHG-1'),
      evidence('liveness_video', 'R-CHG-1'),
      evidence('phone_code', 'R-CHG-1'),
      evidence('bank_reserved_info', 'R-CHG-1'),
    ];
    if (facts.account.minor) {
      out.push(evidence('guardian_face', 'R-MIN-1'), evidence('guardianship_proof', 'R-MIN-2'));
    }
    return out;
  },
  stepUp: ({ facts }) => ({
    method: 'sms',
    channel: 'bound_phone',
    guardianFace: facts.account.minor,
    rule: 'R-CHG-1',
  }),
};
