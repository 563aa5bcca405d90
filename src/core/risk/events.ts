/**
 * Reading the risk history (R-RISK-1/2): the small questions every signal and detector asks of it —
 * what happened within a window, which refusals an appeal could be escaping, which appeals there
 * are counting the one being submitted. Pure; every window is anchored on the injected `now`.
 */
import { withinRollingDays } from '../calendar.js';
import { HOUR_MS } from '../clock.js';
import { CATALOGUE } from '../errors/index.js';
import type { AppealClaim, RiskHistory, RiskInput } from './types.js';

/** `at` is in the last `hours` hours before `end` (inclusive of `end`, exclusive of the start). */
export function withinHours(at: number, end: number, hours: number): boolean {
  return at <= end && at > end - hours * HOUR_MS;
}

/** Whole hours from `from` to `to` (the age of an event, for reviewers). */
export function hoursBetween(from: number, to: number): number {
  return Math.floor((to - from) / HOUR_MS);
}

/**
 * The codes that refuse an operation to protect the account from an intruder (R-REV-1): a request
 * from a device that is not the primary one, after an abnormal login or a device change. A refusal
 * made only of these is what a real theft looks like from the inside (the thief was stopped); it is
 * not a limit the owner would want to escape with a "stolen account" appeal (R-RISK-2).
 */
export const INTRUDER_CODES: ReadonlySet<string> = new Set([
  'NOT_PRIMARY_DEVICE',
  'ABNORMAL_LOGIN_RECENT',
  'DEVICE_CHANGED_RECENTLY',
]);

type Refusal = RiskHistory['refusals'][number];

/**
 * A refusal an appeal could be used to escape (R-RISK-2): any refused start other than an appeal,
 * unless every code of it is an intruder protection. A refusal without codes (a risk refusal) counts.
 */
export function isEscapableRefusal(r: Refusal): boolean {
  if (r.kind === 'appeal.submit') return false;
  return !(r.codes.length > 0 && r.codes.every((c) => INTRUDER_CODES.has(c)));
}

/**
 * A refusal by risk control (R-RISK-2 deliberate failures): one without codes, one by an intruder
 * protection, or one by a risk code (a code whose rule is R-RISK-*, or one the catalogue does not
 * know). A refusal made only of ordinary blockers — a balance residue, an active subscription — is a
 * user who has something to fix, not one tripping risk control.
 */
export function isRiskControlRefusal(r: Refusal): boolean {
  if (r.codes.length === 0) return true;
  return r.codes.some((c) => {
    if (INTRUDER_CODES.has(c)) return true;
    const info = (CATALOGUE as Record<string, { rule?: string } | undefined>)[c];
    return info === undefined || (info.rule ?? '').startsWith('R-RISK');
  });
}

/** The escapable refusals in the `days` before `at` (inclusive of `at`). */
export function escapableRefusalsBefore(history: RiskHistory, at: number, days: number): Refusal[] {
  return history.refusals.filter((r) => isEscapableRefusal(r) && withinRollingDays(r.at, at, days));
}

/**
 * The appeals of the account up to `now`, with the one being submitted when the request is an
 * appeal (at `now`, with `appealClaim`; without one, the claim the store recorded at `now`). An
 * appeal the store already recorded at `now` is that same appeal, not a second one.
 */
export function appealsUpToNow(input: RiskInput): { at: number; claim: AppealClaim | null }[] {
  const { history, now, request } = input;
  const past = history.appeals.filter((a) => a.at <= now);
  if (request.kind !== 'appeal.submit') return past;
  const recorded = past.find((a) => a.at === now);
  return [
    ...past.filter((a) => a.at !== now),
    { at: now, claim: input.appealClaim !== undefined ? input.appealClaim : (recorded?.claim ?? null) },
  ];
}

/** The operation kind of a stored verification purpose ('card.unbind:card_1#guardian' → 'card.unbind'). */
export function purposeKind(purpose: string): string {
  return purpose.split(/[:#]/)[0] ?? purpose;
}
