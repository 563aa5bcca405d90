import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors/index.js';
import { DEFAULT_POLICY, canonicalJson, loadPolicy, validatePolicy } from '../../src/core/policy/index.js';

const clone = <T>(v: T): T => structuredClone(v);

describe('policy', () => {
  it('holds every number of SPEC §3 with the defaults', () => {
    const r = loadPolicy().rulesFor('CN');
    expect(r.deletion).toEqual({ coolingOffDays: 60, minorCoolingOffDays: 90 });
    expect(r.cards).toEqual({ creditUnbindsPerDay: 3, overseasUnbindsPerWindow: 1, overseasWindowDays: 7 });
    expect(r.change.perDocumentLimit).toBe(3);
    expect(r.change.documentCooldownDays).toBe(180);
    expect(r.effects.dailyReceiveLimitAfter).toBe(2_000 * 10_000);
    expect(r.minors.nightWindow).toEqual({ start: '22:00', end: '06:00' });
    expect(r.maintenance.unbindWindow).toEqual({ start: '04:00', end: '06:00' });
    expect(r.appeals.slaWorkingDays).toEqual({ min: 3, max: 7 });
  });

  it('R-REG-1 R-REG-2 R-REG-3 region overlays apply on top of the defaults', () => {
    const p = loadPolicy();
    expect(p.rulesFor('HK').region.fundFlowDeclarationRequired).toBe(true);
    expect(p.rulesFor('HK').region.gdprErasure).toBe(true);
    expect(p.rulesFor('SEA').region.digitalCurrencyRestricted).toBe(true);
    expect(p.rulesFor('EU').region.paymentForceClosedOnRevoke).toBe(true);
    expect(p.rulesFor('CN').region.fundFlowDeclarationRequired).toBe(false);
    // an overlay changes only what it names
    expect(p.rulesFor('HK').deletion.coolingOffDays).toBe(60);
  });

  it('an overlay can change a number for one region only', () => {
    const doc = clone(DEFAULT_POLICY);
    doc.overlays = { ...doc.overlays, EU: { ...doc.overlays!.EU, deletion: { coolingOffDays: 30 } } };
    const p = loadPolicy(doc);
    expect(p.rulesFor('EU').deletion).toEqual({ coolingOffDays: 30, minorCoolingOffDays: 90 });
    expect(p.rulesFor('CN').deletion.coolingOffDays).toBe(60);
  });

  it('the version is a content hash: same numbers same version, any change a new one, key order irrelevant', () => {
    const a = loadPolicy();
    expect(loadPolicy(clone(DEFAULT_POLICY)).version).toBe(a.version);
    const changed = clone(DEFAULT_POLICY);
    changed.defaults.cards.creditUnbindsPerDay = 4;
    expect(loadPolicy(changed).version).not.toBe(a.version);
    const reordered = JSON.parse(canonicalJson(DEFAULT_POLICY)) as unknown;
    expect(loadPolicy(reordered).version).toBe(a.version);
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
  });

  it('an invalid policy is refused with the exact path and reason', () => {
    const doc = clone(DEFAULT_POLICY) as unknown as { defaults: { cards: Record<string, unknown> } };
    doc.defaults.cards.creditUnbindsPerDay = 2.5;
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues[0]!.path).toBe('defaults.cards.creditUnbindsPerDay');
    try {
      loadPolicy(doc);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('POLICY_INVALID');
      expect((e as DomainError).params.path).toBe('defaults.cards.creditUnbindsPerDay');
    }
  });

  it('the schema is closed: an unknown key (a typo) is refused, naming it', () => {
    const doc = clone(DEFAULT_POLICY) as unknown as { defaults: { cards: Record<string, unknown> } };
    doc.defaults.cards.creditUnbindPerDay = 5;
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.issues).toContainEqual({ path: 'defaults.cards', reason: 'unknown key "creditUnbindPerDay"' });
  });

  it('windows, ranges and versions are checked', () => {
    const doc = clone(DEFAULT_POLICY);
    doc.defaults.minors.nightWindow.start = '25:00';
    doc.defaults.appeals.slaWorkingDays = { min: 8, max: 7 };
    doc.defaults.revoke.faceIdMinIosVersion = 'fifteen';
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.issues.map((i) => i.path)).toEqual([
        'defaults.revoke.faceIdMinIosVersion',
        'defaults.minors.nightWindow.start',
        'defaults.appeals.slaWorkingDays',
      ]);
      expect(v.issues[1]!.reason).toContain('HH:MM');
    }
    expect(validatePolicy({ ...clone(DEFAULT_POLICY), overlays: { XX: {} } }).ok).toBe(false);
  });

  it('the loaded policy is frozen', () => {
    const r = loadPolicy().rulesFor('CN');
    expect(Object.isFrozen(r.cards)).toBe(true);
  });
});
