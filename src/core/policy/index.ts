import { createHash } from 'node:crypto';
import { DomainError } from '../errors/index.js';
import type { Region } from '../model.js';
import { DEFAULT_POLICY } from './defaults.js';
import { PolicySchema, REGION_KEYS, type PolicyOverlay, type RegionRules } from './schema.js';

export { DEFAULT_POLICY, RISK_DEFAULTS } from './defaults.js';
export * from './schema.js';

/** One problem in a policy document: the exact path and the reason. */
export interface PolicyIssue {
  path: string;
  reason: string;
}

/** The rules in force for one region: defaults with that region's overlay applied. */
export interface EffectiveRules extends RegionRules {
  region: RegionRules['region'];
}

/**
 * A validated, versioned policy. `version` is a content hash of the canonical document, so two
 * deployments with the same numbers report the same version and any change to a number changes it.
 * Every decision records it.
 */
export interface Policy {
  readonly name: string;
  readonly version: string;
  readonly document: unknown;
  rulesFor(region: Region): EffectiveRules;
}

/** JSON with object keys sorted, so that the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Sections whose overlay is merged deep (R-RISK-*: it names single signals, detector numbers…);
 * the other sections' overlays replace whole fields.
 */
const DEEP_SECTIONS: ReadonlySet<string> = new Set(['risk']);

const isPlainObject = (v: unknown): v is object => v !== null && typeof v === 'object' && !Array.isArray(v);

function mergeDeep(base: object, values: object): object {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const under = (base as Record<string, unknown>)[key];
    out[key] = isPlainObject(value) && isPlainObject(under) ? mergeDeep(under, value) : value;
  }
  return out;
}

function applyOverlay(base: RegionRules, overlay: PolicyOverlay | undefined): EffectiveRules {
  if (!overlay) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [section, values] of Object.entries(overlay)) {
    const under = (base as Record<string, object>)[section];
    if (values && under && DEEP_SECTIONS.has(section)) out[section] = mergeDeep(under, values);
    else if (values) out[section] = { ...under, ...values };
  }
  return out as unknown as EffectiveRules;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Validate a policy document; every problem is reported with its path (e.g. `defaults.cards.creditUnbindsPerDay`). */
export function validatePolicy(doc: unknown): { ok: true } | { ok: false; issues: PolicyIssue[] } {
  const r = PolicySchema.safeParse(doc);
  if (r.success) return { ok: true };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({
      path: i.path.length ? i.path.map(String).join('.') : '(root)',
      reason:
        i.code === 'unrecognized_keys'
          ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`
          : i.message,
    })),
  };
}

/**
 * Parse and freeze a policy. An invalid document throws `POLICY_INVALID` naming the first bad path
 * (all of them are in `validatePolicy`).
 * @example const policy = loadPolicy(DEFAULT_POLICY); policy.rulesFor('HK').region.fundFlowDeclarationRequired // true
 */
export function loadPolicy(doc: unknown = DEFAULT_POLICY): Policy {
  const r = PolicySchema.safeParse(doc);
  if (!r.success) {
    const v = validatePolicy(doc);
    const first = !v.ok ? v.issues[0] : undefined;
    throw new DomainError('POLICY_INVALID', {
      path: first?.path ?? '(root)',
      reason: !v.ok ? v.issues.map((i) => `${i.path}: ${i.reason}`).join('; ') : 'invalid',
    });
  }
  const parsed = r.data;
  const version = `sha256:${createHash('sha256').update(canonicalJson(parsed)).digest('hex').slice(0, 16)}`;
  // Effective rules are computed once per region: a preflight only reads a frozen object.
  const byRegion = new Map<Region, EffectiveRules>();
  for (const region of REGION_KEYS) {
    byRegion.set(region, deepFreeze(applyOverlay(parsed.defaults, parsed.overlays[region])));
  }
  const fallback = byRegion.get('OTHER') as EffectiveRules;
  return Object.freeze({
    name: parsed.name,
    version,
    document: deepFreeze(parsed),
    rulesFor: (region: Region) => byRegion.get(region) ?? fallback,
  });
}
