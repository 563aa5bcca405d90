/**
 * Security Event Tokens for third-party apps (R-NOTIFY-1): which Shared Signals (RISC / CAEP) event
 * types each lifecycle notice carries, the localised reasons, and the claims of the SET (RFC 8417).
 *
 * Pure: no I/O and no signing here. A notice is captured in the account's transaction as an outbox
 * payload ({@link SecurityEventPayload}: everything the SET needs, captured before anything is
 * erased); the relay later turns it into claims ({@link setClaims}) with the deployment's issuer
 * and the app's subject-identifier format, and signs them (adapters/notify).
 *
 * The SET's claims are exactly `iss`, `jti`, `iat`, `aud`, `txn`, `sub_id`, `events`: no `sub`
 * (the subject is `sub_id`, RFC 9493) and no `exp` (a SET is a statement of fact, not a credential).
 */
import { createHash } from 'node:crypto';
import { localized, type Localized, type ParamValue, type Params } from './errors/render.js';
import type { Code } from './errors/catalogue.js';

/** The JOSE `typ` of a SET (RFC 8417 §2.3). */
export const SET_TYP = 'secevent+jwt';
/** The media type of a pushed SET (RFC 8935 §2). */
export const SET_CONTENT_TYPE = 'application/secevent+jwt';
/** The outbox topic of notices to apps (one row per app, keyed by the SET's `jti`). */
export const SECEVENT_TOPIC = 'secevent';

/**
 * The dead-letter reason of a notice whose app has no receiver URL: one text, so that registering a
 * receiver finds exactly these dead letters and queues them again.
 * @example noReceiverError('app_1') // 'no_receiver: app app_1 has no receiver URL registered (…)'
 */
export function noReceiverError(appId: string): string {
  return `no_receiver: app ${appId} has no receiver URL registered (queued again when one is)`;
}

const RISC = 'https://schemas.openid.net/secevent/risc/event-type';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type';

/** The Shared Signals event types this service emits. */
export const EVENT_TYPES = {
  accountDisabled: `${RISC}/account-disabled`,
  accountEnabled: `${RISC}/account-enabled`,
  accountPurged: `${RISC}/account-purged`,
  identifierChanged: `${RISC}/identifier-changed`,
  assuranceLevelChange: `${CAEP}/assurance-level-change`,
  tokenClaimsChange: `${CAEP}/token-claims-change`,
  sessionRevoked: `${CAEP}/session-revoked`,
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** The lifecycle moments every app holding (or having held) a grant is told about. */
export const NOTICE_EVENTS = [
  'realname_revoked',
  'subject_changed',
  'deletion_started',
  'deletion_cancelled',
  'purged',
  'phone_changed',
] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

/** CAEP `initiating_entity`: who or what caused the event. */
export type InitiatingEntity = 'user' | 'admin' | 'policy' | 'system';

type NoticeCode = Extract<Code, `NOTICE_${string}`>;

/** The catalogue code whose texts are the event's `reason_user` / `reason_admin`. */
export const NOTICE_CODES: Readonly<Record<NoticeEvent, NoticeCode>> = {
  realname_revoked: 'NOTICE_REALNAME_REVOKED',
  subject_changed: 'NOTICE_SUBJECT_CHANGED',
  deletion_started: 'NOTICE_ACCOUNT_DISABLED',
  deletion_cancelled: 'NOTICE_ACCOUNT_ENABLED',
  purged: 'NOTICE_ACCOUNT_PURGED',
  phone_changed: 'NOTICE_PHONE_CHANGED',
};

/**
 * The event types of each notice (SPEC R-NOTIFY-1): the first is the notice itself; a notice that
 * ends the app's grant adds `session-revoked`; a subject change adds `token-claims-change` because
 * the identity claims the app holds changed.
 */
export const NOTICE_EVENT_TYPES: Readonly<Record<NoticeEvent, readonly EventType[]>> = {
  deletion_started: [EVENT_TYPES.accountDisabled],
  deletion_cancelled: [EVENT_TYPES.accountEnabled],
  purged: [EVENT_TYPES.accountPurged, EVENT_TYPES.sessionRevoked],
  realname_revoked: [EVENT_TYPES.assuranceLevelChange, EVENT_TYPES.sessionRevoked],
  subject_changed: [EVENT_TYPES.assuranceLevelChange, EVENT_TYPES.tokenClaimsChange],
  phone_changed: [EVENT_TYPES.identifierChanged],
};

/** The CAEP assurance namespace of real-name verification (levels: `verified`, `revoked`). */
export const ASSURANCE_NAMESPACE = 'urn:realname:identity-verification';

/** What one notice says, before it is addressed to an app. */
export interface NoticeInput {
  event: NoticeEvent;
  /** When it happened (epoch ms): the SET's `iat` and every event's `event_timestamp`. */
  at: number;
  initiatingEntity: InitiatingEntity;
  /**
   * Parameters of the reason texts (e.g. `until` for a deletion's cooling-off) and of the claims
   * (`documentType` of a subject change). Non-scalar values are ignored. Never PII.
   */
  params?: Readonly<Record<string, unknown>>;
}

/** RFC 8417 `events`: event type URI → its payload. */
export type SetEvents = Record<string, Record<string, unknown>>;

const seconds = (ms: number): number => Math.floor(ms / 1000);

function scalarParams(params: Readonly<Record<string, unknown>> | undefined): Params {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/**
 * The localised reason of a notice, from its NOTICE_* catalogue code in both languages.
 *
 * @example
 * noticeReason({ event: 'deletion_cancelled', at, initiatingEntity: 'user' }).en
 * // 'The account’s deletion was cancelled; it is enabled again.'
 */
export function noticeReason(input: NoticeInput): Localized {
  return localized(NOTICE_CODES[input.event], scalarParams(input.params));
}

/**
 * The `events` claim of a notice: one entry per event type of {@link NOTICE_EVENT_TYPES}, each with
 * the CAEP common fields (`event_timestamp`, `initiating_entity`, `reason_admin`, `reason_user` as
 * language → text maps) and its own required fields.
 *
 * @example
 * noticeEvents({ event: 'purged', at, initiatingEntity: 'policy' });
 * // { 'https://schemas.openid.net/secevent/risc/event-type/account-purged': { event_timestamp, … },
 * //   'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { … } }
 */
export function noticeEvents(input: NoticeInput): SetEvents {
  const reason = noticeReason(input);
  const common = {
    event_timestamp: seconds(input.at),
    initiating_entity: input.initiatingEntity,
    reason_admin: { ...reason },
    reason_user: { ...reason },
  };
  const params = scalarParams(input.params);
  const events: SetEvents = {};
  for (const type of NOTICE_EVENT_TYPES[input.event]) {
    const own: Record<string, unknown> = {};
    if (type === EVENT_TYPES.assuranceLevelChange) {
      own.namespace = ASSURANCE_NAMESPACE;
      if (input.event === 'realname_revoked') {
        own.current_level = 'revoked';
        own.previous_level = 'verified';
        own.change_direction = 'decrease';
      } else {
        // A new subject is verified again: the level is the same, the person behind it is not.
        own.current_level = 'verified';
        own.previous_level = 'verified';
      }
    }
    if (type === EVENT_TYPES.tokenClaimsChange) {
      // Which identity claims changed, never their values (PII stays with the platform).
      const claims: Record<string, unknown> = {
        realname_status: 'verified',
        realname_verified_at: seconds(input.at),
      };
      if (typeof params.documentType === 'string') claims.realname_document_type = params.documentType;
      own.claims = claims;
    }
    events[type] = { ...common, ...own };
  }
  return events;
}

/**
 * A `jti` that is the same every time the same notice of the same operation is written for the same
 * app (a retried transaction writes it once: the outbox is unique by topic and key), and different
 * for anything else: 32 base64url characters of a SHA-256 over the three parts.
 *
 * @example
 * deriveJti('op_1', 'app_1', 'purged'); // 'set_…' (36 characters)
 */
export function deriveJti(operationId: string, appId: string, event: NoticeEvent): string {
  const h = createHash('sha256');
  for (const part of ['realname/set-jti/v1', operationId, appId, event]) h.update(`${part.length}:${part}`);
  return `set_${h.digest('base64url').slice(0, 32)}`;
}

/**
 * What the outbox keeps of one notice to one app (topic `secevent`, key = jti): everything the SET
 * needs, captured in the account's transaction — nothing is looked up again about the account when
 * it is signed, so a purge or a revocation that erases data afterwards changes nothing.
 */
export interface SecurityEventPayload {
  v: 1;
  appId: string;
  /** The app's pairwise OpenID of the account: the SET's subject. */
  openId: string;
  jti: string;
  /** The operation the notice comes from (or the jti when there is none): the SET's `txn`. */
  txn: string;
  /** Seconds since the epoch. */
  iat: number;
  event: NoticeEvent;
  events: SetEvents;
}

/**
 * The payload of one notice to one app.
 *
 * @example
 * noticePayload({ event: 'purged', at, initiatingEntity: 'policy' }, { appId: 'app_1', openId: 'o…' }, 'op_1', jti);
 */
export function noticePayload(
  input: NoticeInput,
  app: { appId: string; openId: string },
  txn: string,
  jti: string,
): SecurityEventPayload {
  return {
    v: 1,
    appId: app.appId,
    openId: app.openId,
    jti,
    txn,
    iat: seconds(input.at),
    event: input.event,
    events: noticeEvents(input),
  };
}

/**
 * Read an outbox payload back as a notice; null when it is not one (an older or foreign shape).
 *
 * @example
 * const p = parseNoticePayload(row.payload); if (p) setClaims(p, { issuer, subIdFormat: 'opaque' });
 */
export function parseNoticePayload(payload: Readonly<Record<string, unknown>>): SecurityEventPayload | null {
  const p = payload as Partial<SecurityEventPayload>;
  const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (p.v !== 1 || !str(p.appId) || !str(p.openId) || !str(p.jti) || !str(p.txn)) return null;
  if (typeof p.iat !== 'number' || !Number.isInteger(p.iat)) return null;
  if (!str(p.event) || !(NOTICE_EVENTS as readonly string[]).includes(p.event)) return null;
  if (typeof p.events !== 'object' || p.events === null || Object.keys(p.events).length === 0) return null;
  return p as SecurityEventPayload;
}

/** How a SET names its subject (RFC 9493): the app's OpenID alone, or with this service as issuer. */
export type SubIdFormat = 'opaque' | 'iss_sub';
export const SUB_ID_FORMATS: readonly SubIdFormat[] = ['opaque', 'iss_sub'];

export type SubjectId = { format: 'opaque'; id: string } | { format: 'iss_sub'; iss: string; sub: string };

/** @example subjectId('iss_sub', 'https://realname.example', 'o…') // { format: 'iss_sub', iss, sub: 'o…' } */
export function subjectId(format: SubIdFormat, issuer: string, openId: string): SubjectId {
  return format === 'iss_sub' ? { format, iss: issuer, sub: openId } : { format, id: openId };
}

/** The claims of a SET: these seven and no others (R-NOTIFY-1). */
export interface SetClaims {
  iss: string;
  jti: string;
  iat: number;
  aud: string;
  txn: string;
  sub_id: SubjectId;
  events: SetEvents;
}

/**
 * The claims of the SET for one captured notice, addressed to its app (`aud` = the app id, the
 * subject = the app's OpenID in the app's chosen format).
 *
 * @example
 * setClaims(payload, { issuer: 'https://realname.example', subIdFormat: 'opaque' });
 * // { iss, jti, iat, aud: 'app_1', txn: 'op_1', sub_id: { format: 'opaque', id: 'o…' }, events }
 */
export function setClaims(
  payload: SecurityEventPayload,
  options: { issuer: string; subIdFormat: SubIdFormat },
): SetClaims {
  return {
    iss: options.issuer,
    jti: payload.jti,
    iat: payload.iat,
    aud: payload.appId,
    txn: payload.txn,
    sub_id: subjectId(options.subIdFormat, options.issuer, payload.openId),
    events: payload.events,
  };
}
