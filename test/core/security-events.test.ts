/**
 * Security Event Tokens, the pure part (R-NOTIFY-1): which Shared Signals event types each notice
 * carries, the localised reasons, the exact claim set, the jti.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/core/errors/catalogue.js';
import {
  deriveJti,
  EVENT_TYPES,
  NOTICE_CODES,
  NOTICE_EVENTS,
  noticeEvents,
  noticePayload,
  parseNoticePayload,
  setClaims,
  type NoticeEvent,
} from '../../src/core/security-events.js';
import { shanghaiDateTime } from '../../src/core/calendar.js';

const AT = shanghaiDateTime(2026, 11, 18, 12, 0);
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';

describe('security events (R-NOTIFY-1)', () => {
  it('R-NOTIFY-1 each notice carries the Shared Signals event types of the SPEC', () => {
    const types = (event: NoticeEvent) =>
      Object.keys(noticeEvents({ event, at: AT, initiatingEntity: 'user' }));
    expect(types('deletion_started')).toEqual([`${RISC}account-disabled`]);
    expect(types('deletion_cancelled')).toEqual([`${RISC}account-enabled`]);
    expect(types('purged')).toEqual([`${RISC}account-purged`, `${CAEP}session-revoked`]);
    expect(types('realname_revoked')).toEqual([`${CAEP}assurance-level-change`, `${CAEP}session-revoked`]);
    expect(types('subject_changed')).toEqual([`${CAEP}assurance-level-change`, `${CAEP}token-claims-change`]);
    expect(types('phone_changed')).toEqual([`${RISC}identifier-changed`]);
  });

  it('R-NOTIFY-1 every event has initiating_entity, event_timestamp and reason_user / reason_admin in en and zh-CN from the NOTICE_* catalogue', () => {
    const until = AT + 60 * 86_400_000;
    const events = noticeEvents({
      event: 'deletion_started',
      at: AT,
      initiatingEntity: 'user',
      params: { until },
    });
    const e = events[EVENT_TYPES.accountDisabled]!;
    expect(e.initiating_entity).toBe('user');
    expect(e.event_timestamp).toBe(Math.floor(AT / 1000));
    const reason = e.reason_user as { en: string; 'zh-CN': string };
    expect(reason.en).toContain('deletion cooling-off period');
    expect(reason.en).toContain('2027'); // the `until` date, rendered
    expect(reason['zh-CN']).toContain('注销冷静期');
    expect(e.reason_admin).toEqual(reason);
    // Every notice has its catalogue code, and every NOTICE_* code is some notice's.
    const noticeCodes = CODES.filter((c) => c.startsWith('NOTICE_')).sort();
    expect(Object.values(NOTICE_CODES).sort()).toEqual(noticeCodes);
    for (const event of NOTICE_EVENTS) {
      for (const payload of Object.values(noticeEvents({ event, at: AT, initiatingEntity: 'system' }))) {
        expect(Object.keys(payload.reason_user as object).sort()).toEqual(['en', 'zh-CN']);
        expect((payload.reason_user as { en: string }).en.length).toBeGreaterThan(10);
      }
    }
  });

  it('R-NOTIFY-1 assurance-level-change: a revocation goes verified → revoked (decrease); a subject change stays verified and names the changed claims, not their values', () => {
    const revoked = noticeEvents({ event: 'realname_revoked', at: AT, initiatingEntity: 'user' });
    expect(revoked[EVENT_TYPES.assuranceLevelChange]).toMatchObject({
      namespace: 'urn:realname:identity-verification',
      previous_level: 'verified',
      current_level: 'revoked',
      change_direction: 'decrease',
    });
    const changed = noticeEvents({
      event: 'subject_changed',
      at: AT,
      initiatingEntity: 'user',
      params: { documentType: 'cn_id', name: { not: 'a scalar' } },
    });
    expect(changed[EVENT_TYPES.assuranceLevelChange]).toMatchObject({
      current_level: 'verified',
      previous_level: 'verified',
    });
    expect(changed[EVENT_TYPES.assuranceLevelChange]).not.toHaveProperty('change_direction');
    expect(changed[EVENT_TYPES.tokenClaimsChange]!.claims).toEqual({
      realname_status: 'verified',
      realname_verified_at: Math.floor(AT / 1000),
      realname_document_type: 'cn_id',
    });
  });

  it('R-NOTIFY-1 the claims are exactly iss, jti, iat, aud, txn, sub_id, events: no sub, no exp; sub_id opaque or iss_sub', () => {
    const payload = noticePayload(
      { event: 'purged', at: AT, initiatingEntity: 'policy' },
      { appId: 'app_1', openId: 'oOPENID' },
      'op_1',
      'set_1',
    );
    const opaque = setClaims(payload, { issuer: 'https://rn.example', subIdFormat: 'opaque' });
    expect(Object.keys(opaque).sort()).toEqual(['aud', 'events', 'iat', 'iss', 'jti', 'sub_id', 'txn']);
    expect(opaque).toMatchObject({
      iss: 'https://rn.example',
      jti: 'set_1',
      iat: Math.floor(AT / 1000),
      aud: 'app_1',
      txn: 'op_1',
      sub_id: { format: 'opaque', id: 'oOPENID' },
    });
    const issSub = setClaims(payload, { issuer: 'https://rn.example', subIdFormat: 'iss_sub' });
    expect(issSub.sub_id).toEqual({ format: 'iss_sub', iss: 'https://rn.example', sub: 'oOPENID' });
    expect(issSub).not.toHaveProperty('sub');
    expect(issSub).not.toHaveProperty('exp');
  });

  it('R-NOTIFY-1 a payload reads back as a notice; anything else does not', () => {
    const payload = noticePayload(
      { event: 'phone_changed', at: AT, initiatingEntity: 'user' },
      { appId: 'app_1', openId: 'o1' },
      'set_x',
      'set_x',
    );
    expect(parseNoticePayload(JSON.parse(JSON.stringify(payload)))).toEqual(payload);
    expect(parseNoticePayload({ accountId: 'acc_1', operationId: 'op_1' })).toBeNull();
    expect(parseNoticePayload({ ...payload, v: 2 })).toBeNull();
    expect(parseNoticePayload({ ...payload, event: 'exploded' })).toBeNull();
    expect(parseNoticePayload({ ...payload, iat: 1.5 })).toBeNull();
    expect(parseNoticePayload({ ...payload, events: {} })).toBeNull();
  });

  it('R-NOTIFY-1 jti: the same for the same operation, app and notice (a retried write is one event); different for any other', () => {
    expect(deriveJti('op_1', 'app_1', 'purged')).toBe(deriveJti('op_1', 'app_1', 'purged'));
    expect(deriveJti('op_1', 'app_1', 'purged')).toMatch(/^set_[A-Za-z0-9_-]{32}$/);
    // the parts are length-prefixed: moving characters between them changes the jti
    expect(deriveJti('op_1a', 'pp_1', 'purged')).not.toBe(deriveJti('op_1', 'app_1', 'purged'));
    fc.assert(
      fc.property(
        fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.constantFrom(...NOTICE_EVENTS)),
        fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.constantFrom(...NOTICE_EVENTS)),
        (a, b) => {
          fc.pre(a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2]);
          expect(deriveJti(...a)).not.toBe(deriveJti(...b));
        },
      ),
    );
  });
});
