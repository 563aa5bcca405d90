/**
 * The three abuse routes of the source documents (SPEC §3.11 R-RISK-2, "替代方案与技术漏洞"), each a
 * named detector over the facts and the risk history:
 *
 * - `stolen_account_appeal` (申诉账号被盗要求重置): a theft-claiming appeal shortly after a refused
 *   operation, used to reset the identity the limits would not let go. A real theft victim appeals
 *   after abnormal logins with no refused operation of theirs — or after the thief was refused by the
 *   intruder protections (events.ts INTRUDER_CODES) — and is not flagged.
 * - `overseas_reregistration` (利用海外手机号重新注册): an account with an overseas phone (new, or
 *   whose phone just moved abroad) binding or changing to a document at its R-CHG-3 limit or in its
 *   cooldown, or one whose other accounts were refused recently. An overseas user with a fresh
 *   document is not flagged.
 * - `deliberate_failures` (故意触发风控迫使系统解绑): repeated failed codes or refused starts of an
 *   unbind or a revocation within a short window (refused by risk control, not by an ordinary
 *   blocker), followed by an unbind, a revocation or an appeal.
 *   A user mistyping a code twice over days is not flagged.
 *
 * A detection never depends on the score: it goes to a reviewer whatever the signals say (index.ts),
 * and every detector is monotone in the history (one more event never clears a detection).
 */
import { withinRollingDays } from '../calendar.js';
import { DAY_MS } from '../clock.js';
import type { DocumentType, OperationKind } from '../model.js';
import type { RegionRules } from '../policy/index.js';
import {
  appealsUpToNow,
  escapableRefusalsBefore,
  hoursBetween,
  isRiskControlRefusal,
  purposeKind,
  withinHours,
} from './events.js';
import type { Detection, RiskHistory, RiskInput } from './types.js';

type Detector = (input: RiskInput, rules: RegionRules) => Detection | null;

/** The requests that reset an identity after an accepted appeal (R-RISK-2 stolen-account route). */
const RESET_KINDS: ReadonlySet<string> = new Set(['realname.change', 'realname.revoke', 'identity.bind']);

/**
 * R-RISK-2 `stolen_account_appeal`: the request is a theft-claiming appeal, or an identity reset
 * within `appealLookbackDays` of one; and that appeal came within `refusalWindowDays` of at least
 * `minRefusals` refused operations it could escape.
 */
export const stolenAccountAppeal: Detector = (input, rules) => {
  const p = rules.risk.detectors.stolen_account_appeal;
  const { request, now, history } = input;
  const claims = appealsUpToNow(input).filter((a) => a.claim === 'account_stolen');
  const appeals =
    request.kind === 'appeal.submit'
      ? claims.filter((a) => a.at === now)
      : RESET_KINDS.has(request.kind)
        ? claims.filter((a) => withinRollingDays(a.at, now, p.appealLookbackDays))
        : [];
  let best: { at: number; refusals: RiskHistory['refusals'] } | null = null;
  for (const appeal of appeals) {
    const refusals = escapableRefusalsBefore(history, appeal.at, p.refusalWindowDays);
    if (refusals.length >= p.minRefusals && (best === null || refusals.length > best.refusals.length)) {
      best = { at: appeal.at, refusals };
    }
  }
  if (!best) return null;
  let last = 0;
  for (const r of best.refusals) if (r.at > last) last = r.at;
  return {
    detector: 'stolen_account_appeal',
    rule: 'R-RISK-2',
    evidence: {
      appealAt: best.at,
      refusals: best.refusals.length,
      refusedKinds: [...new Set(best.refusals.map((r) => r.kind))].sort(),
      codes: [...new Set(best.refusals.flatMap((r) => r.codes))].sort(),
      hoursAfterRefusal: hoursBetween(last, best.at),
      windowDays: p.refusalWindowDays,
    },
  };
};

/** The refused operations on a document's other accounts that mark it as one being escaped. */
const IDENTITY_KINDS: ReadonlySet<OperationKind> = new Set<OperationKind>([
  'realname.change',
  'realname.revoke',
  'account.delete',
  'appeal.submit',
]);

function documentTypeOf(input: RiskInput): DocumentType {
  const { request, facts } = input;
  const own = facts.identity?.documentType ?? 'cn_id';
  if (request.kind === 'realname.change') return request.newDocument?.type ?? own;
  if (request.kind === 'identity.bind') return request.documentType ?? own;
  return own;
}

/**
 * The document's R-CHG-3 position: as the store gathered it, or for a change from the request's
 * document usage under the same rule (realname-change.ts).
 */
function documentLimitOf(input: RiskInput, rules: RegionRules): RiskHistory['documentLimit'] {
  if (input.history.documentLimit) return input.history.documentLimit;
  const { request, now } = input;
  if (request.kind !== 'realname.change' || !request.documentUsage) return null;
  const { perDocumentLimit, perDocumentWindowDays } = rules.change;
  return {
    changesInWindow: request.documentUsage.changesAt.filter((at) =>
      withinRollingDays(at, now, perDocumentWindowDays),
    ).length,
    limit: perDocumentLimit,
    cooldownUntil: request.documentUsage.cooldownUntil ?? null,
  };
}

/**
 * R-RISK-2 `overseas_reregistration`: a bind or a change, from an account whose phone is abroad for
 * the document (its calling code is not home for the document type; a passport has no home) and
 * that is new (created within `newAccountDays`) or whose phone moved to that country within
 * `phoneChangeDays`, to a document at its change limit, in its cooldown (R-CHG-3), or whose other
 * accounts had an identity operation refused within `refusedOnDocumentDays`.
 */
export const overseasReregistration: Detector = (input, rules) => {
  const { request, facts, history, now } = input;
  if (request.kind !== 'identity.bind' && request.kind !== 'realname.change') return null;
  const p = rules.risk.detectors.overseas_reregistration;
  const phone = history.phoneCountry;
  if (phone === null) return null;
  const documentType = documentTypeOf(input);
  const home = p.homePhoneCountries[documentType];
  if (home.includes(phone)) return null;

  const newAccount = withinRollingDays(facts.account.createdAt, now, p.newAccountDays);
  let movedAt: number | null = null;
  for (const c of history.phoneCountryChanges) {
    if (
      c.to === phone &&
      withinRollingDays(c.at, now, p.phoneChangeDays) &&
      (movedAt === null || c.at > movedAt)
    )
      movedAt = c.at;
  }
  if (!newAccount && movedAt === null) return null;

  const limit = documentLimitOf(input, rules);
  const atLimit = limit !== null && limit.changesInWindow >= limit.limit;
  const cooling = limit?.cooldownUntil != null && limit.cooldownUntil > now;
  const refusedAccounts = history.documentAccounts
    .filter((a) =>
      a.operations.some(
        (o) =>
          o.refused && IDENTITY_KINDS.has(o.kind) && withinRollingDays(o.at, now, p.refusedOnDocumentDays),
      ),
    )
    .map((a) => a.alias)
    .sort();
  if (!atLimit && !cooling && refusedAccounts.length === 0) return null;

  const reasons: string[] = [];
  if (atLimit) reasons.push('document_at_limit');
  if (cooling) reasons.push('document_cooldown');
  if (refusedAccounts.length) reasons.push('refused_on_other_accounts');
  return {
    detector: 'overseas_reregistration',
    rule: 'R-RISK-2',
    evidence: {
      reasons,
      phoneCountry: phone,
      documentType,
      accountAgeDays: Math.floor((now - facts.account.createdAt) / DAY_MS),
      hoursSincePhoneMoved: movedAt === null ? null : hoursBetween(movedAt, now),
      changesInWindow: limit?.changesInWindow ?? null,
      limit: limit?.limit ?? null,
      cooldownUntil: cooling ? (limit?.cooldownUntil ?? null) : null,
      refusedAccounts,
    },
  };
};

/** What "deliberately tripping risk control to force an unbind" fails at, and then asks for. */
const FAILED_KINDS: ReadonlySet<string> = new Set(['card.unbind', 'realname.revoke']);
const FORCED_KINDS: ReadonlySet<string> = new Set(['card.unbind', 'realname.revoke', 'appeal.submit']);

/**
 * R-RISK-2 `deliberate_failures`: an unbind, a revocation or an appeal after at least `minFailures`
 * failed codes for, or starts refused by risk control of (events.ts isRiskControlRefusal), an unbind
 * or a revocation within `windowHours`. Starts refused by ordinary blockers (a balance residue) are
 * a user with something to fix and do not count.
 */
export const deliberateFailures: Detector = (input, rules) => {
  const { request, history, now } = input;
  if (!FORCED_KINDS.has(request.kind)) return null;
  const p = rules.risk.detectors.deliberate_failures;
  const failed = history.failedVerifications
    .filter((f) => FAILED_KINDS.has(purposeKind(f.purpose)) && withinHours(f.at, now, p.windowHours))
    .map((f) => f.at);
  const refused = history.refusals
    .filter(
      (r) => FAILED_KINDS.has(r.kind) && isRiskControlRefusal(r) && withinHours(r.at, now, p.windowHours),
    )
    .map((r) => r.at);
  const all = [...failed, ...refused];
  if (all.length < p.minFailures) return null;
  return {
    detector: 'deliberate_failures',
    rule: 'R-RISK-2',
    evidence: {
      failedVerifications: failed.length,
      refusals: refused.length,
      windowHours: p.windowHours,
      firstAt: all.reduce((a, b) => Math.min(a, b)),
      lastAt: all.reduce((a, b) => Math.max(a, b)),
      then: request.kind,
    },
  };
};

/** The detectors in DETECTOR_IDS order. */
export const DETECTORS: readonly Detector[] = [
  stolenAccountAppeal,
  overseasReregistration,
  deliberateFailures,
];

/**
 * Every abuse route the request matches (R-RISK-2), in DETECTOR_IDS order.
 * @example detectAbuse({ facts, history, request: { kind: 'appeal.submit' }, appealClaim: 'account_stolen', now }, rules)
 */
export function detectAbuse(input: RiskInput, rules: RegionRules): Detection[] {
  const out: Detection[] = [];
  for (const detect of DETECTORS) {
    const d = detect(input, rules);
    if (d) out.push(d);
  }
  return out;
}
