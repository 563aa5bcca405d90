import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors/index.js';
import { FLOWS, allowedEvents, isTerminal, transition } from '../../src/core/flows/index.js';
import { OPERATION_KINDS } from '../../src/core/model.js';
import { cleanFacts } from '../support/facts.js';
import { run } from '../support/preflight.js';

describe('operation state machines', () => {
  it('R-DEL-3 a deletion is cancellable by the user during the cooling-off, and only then', () => {
    expect(transition('account.delete', 'cooling_off', 'cancel', 'user')).toMatchObject({
      to: 'cancelled',
      outcome: 'cancelled',
    });
    expect(() => transition('account.delete', 'purged', 'cancel', 'user')).toThrow(DomainError);
  });

  it('R-DEL-4 only the timer purges', () => {
    expect(transition('account.delete', 'cooling_off', 'purge', 'timer')).toMatchObject({
      to: 'purged',
      outcome: 'completed',
    });
    for (const by of ['user', 'platform', 'reviewer', 'system'] as const) {
      expect(() => transition('account.delete', 'cooling_off', 'purge', by)).toThrow(
        /cannot go from "cooling_off" on "purge"/,
      );
    }
  });

  it('an illegal transition is refused with ILLEGAL_TRANSITION naming the state and event', () => {
    try {
      transition('appeal.submit', 'accepted', 'reject', 'reviewer');
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).code).toBe('ILLEGAL_TRANSITION');
      expect((e as DomainError).params).toMatchObject({ from: 'accepted', event: 'reject' });
      expect((e as DomainError).status).toBe(409);
    }
  });

  it('R-ABN-3 R-CHG-4 R-MIN-3 only reviewers decide reviews', () => {
    expect(allowedEvents('appeal.submit', 'in_review', 'reviewer').sort()).toEqual(['accept', 'reject']);
    expect(allowedEvents('appeal.submit', 'in_review', 'user')).toEqual(['cancel']);
    expect(allowedEvents('realname.change', 'in_review', 'reviewer').sort()).toEqual([
      'approve_step',
      'reject',
    ]);
    expect(allowedEvents('realname.change', 'in_review_2', 'reviewer').sort()).toEqual([
      'complete',
      'reject',
    ]);
    expect(allowedEvents('realname.revoke', 'in_review', 'reviewer').sort()).toEqual(['approve', 'reject']);
  });

  it('R-UX-1 the evidence a flow always needs to leave its first state is in every preflight of that operation', () => {
    const requests = {
      'account.delete': { kind: 'account.delete' },
      'card.unbind': { kind: 'card.unbind', cardId: 'c1' },
      'realname.change': { kind: 'realname.change' },
      'realname.revoke': { kind: 'realname.revoke' },
      'enterprise.detach': { kind: 'enterprise.detach', linkId: 'e1' },
      'appeal.submit': { kind: 'appeal.submit' },
      'payment.restore': { kind: 'payment.restore' },
      'data.export': { kind: 'data.export' },
      'identity.bind': { kind: 'identity.bind' },
    } as const;
    for (const kind of OPERATION_KINDS) {
      const needed = new Set(
        FLOWS[kind].transitions
          .filter((t) => t.from.includes(FLOWS[kind].initial))
          .flatMap((t) => t.evidence ?? []),
      );
      for (const minor of [false, true]) {
        const facts = cleanFacts();
        facts.account.minor = minor;
        facts.cards.push({
          id: 'c1',
          type: 'debit',
          last4: '1',
          bank: 'B',
          reservedPhoneMasked: 'x',
          boundAt: 0,
        });
        facts.enterpriseLinks.push({
          id: 'e1',
          enterprise: 'E',
          kind: 'attendance',
          active: true,
          adminRole: false,
          pendingApprovals: 0,
        });
        const required = new Set(run(facts, requests[kind]).requiredEvidence.map((e) => e.kind));
        for (const e of needed) expect(required.has(e), `${kind} (minor ${minor}) needs ${e}`).toBe(true);
      }
    }
  });

  it('every flow is well formed: its states are reachable from the initial one and terminal states have no way out', () => {
    for (const kind of OPERATION_KINDS) {
      const flow = FLOWS[kind];
      const reachable = new Set([flow.initial]);
      for (let changed = true; changed;) {
        changed = false;
        for (const t of flow.transitions) {
          if (t.from.some((f) => reachable.has(f)) && !reachable.has(t.to)) {
            reachable.add(t.to);
            changed = true;
          }
        }
      }
      for (const t of flow.transitions) {
        expect(reachable.has(t.to), `${kind}: ${t.to}`).toBe(true);
        for (const f of t.from) expect(isTerminal(kind, f), `${kind}: leaves terminal ${f}`).toBe(false);
        expect(t.rule).toMatch(/^R-[A-Z]+-\d+$/);
      }
      expect(
        Object.keys(flow.terminal).some((s) => reachable.has(s)),
        kind,
      ).toBe(true);
    }
  });
});
