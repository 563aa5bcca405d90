/**
 * Third-party apps (R-NOTIFY-1/2): the registry of apps and their RFC 8935 receivers, opaque access
 * tokens of grants and their introspection (RFC 7662), the published signing keys and their
 * rotation, and the dead letters of the security-event relay.
 *
 * R-NOTIFY-2: a token is active only while its grant is: introspection answers `{ active: false }`
 * once the grant ended (revocation, purge), while the identity is `pending_recycle` (grants
 * suspended during a revocation, R-REV-3), when the account is not active, and for a token issued
 * before the grant's current `grantedAt` (a grant given again does not revive old tokens).
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../core/errors/index.js';
import type { AppPatch, AppRecord, DeadLetter, NotifyStore } from '../core/ports.js';
import { noReceiverError, parseNoticePayload, type SubIdFormat } from '../core/security-events.js';
import { hashSecret } from './admin.js';
import type { Actor, AppDeps } from './deps.js';

/** A public key of the JWKS (RFC 7517). */
export interface PublishedKey {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: string;
  use: string;
}

/** The signing keys as the app layer sees them (adapters/notify/keys.ts implements them). */
export interface KeyRing {
  jwks(): Promise<{ keys: PublishedKey[] }>;
  rotate(): Promise<{ kid: string; retired: string | null }>;
}

export interface AppsOptions {
  store: NotifyStore;
  keys: KeyRing;
  /** Lifetime of an access token when the request names none (default 1 h). */
  tokenTtlSeconds?: number;
}

export interface RegisterAppInput {
  appId: string;
  name: string;
  developerId: string;
  receiverUrl?: string | null;
  subIdFormat?: SubIdFormat;
}

export interface IssuedToken {
  /** Shown once; only its hash is stored. */
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds. */
  expiresIn: number;
  expiresAt: number;
}

/** RFC 7662 §2.2: an inactive token says nothing more. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      /** The app the token was issued to. */
      client_id: string;
      /** The account's OpenID for that app (never the account id). */
      sub: string;
      /** Seconds since the epoch. */
      exp: number;
      iat: number;
      token_type: 'Bearer';
    };

/** A dead letter as admins see it (R-NOTIFY-1). */
export interface DeadLetterView {
  id: number;
  topic: string;
  key: string;
  accountId: string | null;
  appId: string | null;
  event: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  deadAt: number;
}

export const MAX_TOKEN_TTL_SECONDS = 86_400;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Check a receiver URL (APP_RECEIVER_INVALID otherwise): absolute, `https:` — or `http:` to a
 * loopback host, for development (RFC 8935 requires TLS) — with no credentials and no fragment.
 *
 * @example
 * receiverUrl('https://rp.example/events') // 'https://rp.example/events'
 * receiverUrl('ftp://rp.example')          // throws APP_RECEIVER_INVALID
 */
export function receiverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError('APP_RECEIVER_INVALID', { detail: 'not an absolute URL' });
  }
  if (value.length > 2048)
    throw new DomainError('APP_RECEIVER_INVALID', { detail: 'longer than 2048 characters' });
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DomainError('APP_RECEIVER_INVALID', { detail: `the scheme ${url.protocol} is not http(s)` });
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))
    throw new DomainError('APP_RECEIVER_INVALID', {
      detail: 'plain http is accepted for loopback receivers only; use https (RFC 8935 requires TLS)',
    });
  if (url.username || url.password)
    throw new DomainError('APP_RECEIVER_INVALID', { detail: 'credentials in the URL are not accepted' });
  if (url.hash) throw new DomainError('APP_RECEIVER_INVALID', { detail: 'a fragment is not accepted' });
  return url.href;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export function createAppsService(deps: AppDeps, options: AppsOptions) {
  const { clock } = deps;
  const { store, keys } = options;
  const defaultTtl = options.tokenTtlSeconds ?? 3_600;

  /** What an app's audit record says of its receiver: the origin only (a query may hold a secret). */
  const origin = (url: string | null): string | null => (url === null ? null : new URL(url).origin);

  async function audit(actor: Actor, action: string, data: Record<string, unknown>, accountId?: string) {
    await deps.store.auditSystem({
      at: clock.now(),
      actor: actor.id,
      action,
      accountId: accountId ?? null,
      data,
    });
  }

  /**
   * R-NOTIFY-1: notices dead-lettered because the app had no receiver are queued again as soon as
   * it has one, so an app that registers its receiver late still hears every event once.
   */
  async function requeueWaiting(app: AppRecord, actor: Actor): Promise<void> {
    if (!app.receiverUrl) return;
    const requeued = await store.requeueDeadLetters(noReceiverError(app.appId), clock.now());
    if (requeued > 0) await audit(actor, 'outbox.requeued', { appId: app.appId, count: requeued });
  }

  return {
    /**
     * Register an app (CONFLICT when the id is taken).
     * @example await apps.register({ appId: 'app_1', name: 'Mini Shop', developerId: 'dev_1', receiverUrl: 'https://rp.example/events' }, actor)
     */
    async register(input: RegisterAppInput, actor: Actor): Promise<AppRecord> {
      const now = clock.now();
      const app: AppRecord = {
        appId: input.appId,
        name: input.name,
        developerId: input.developerId,
        receiverUrl: input.receiverUrl ? receiverUrl(input.receiverUrl) : null,
        subIdFormat: input.subIdFormat ?? 'opaque',
        createdAt: now,
        updatedAt: now,
      };
      if (!(await store.createApp(app)))
        throw new DomainError('CONFLICT', { detail: `an app ${input.appId} is already registered` });
      await audit(actor, 'app.registered', {
        appId: app.appId,
        receiver: origin(app.receiverUrl),
        subIdFormat: app.subIdFormat,
      });
      await requeueWaiting(app, actor);
      return app;
    },

    async list(page: { after?: string | null; limit: number }): Promise<AppRecord[]> {
      return store.apps(page);
    },

    async get(appId: string): Promise<AppRecord> {
      const app = await store.app(appId);
      if (!app) throw new DomainError('APP_NOT_FOUND', { appId });
      return app;
    },

    /** Change an app; events still due go to its new receiver (resolved at delivery). */
    async update(appId: string, patch: AppPatch, actor: Actor): Promise<AppRecord> {
      const clean: AppPatch = { ...patch };
      if (patch.receiverUrl !== undefined)
        clean.receiverUrl = patch.receiverUrl === null ? null : receiverUrl(patch.receiverUrl);
      const app = await store.updateApp(appId, clean, clock.now());
      if (!app) throw new DomainError('APP_NOT_FOUND', { appId });
      await audit(actor, 'app.updated', {
        appId,
        fields: Object.keys(patch).sort(),
        receiver: origin(app.receiverUrl),
      });
      await requeueWaiting(app, actor);
      return app;
    },

    /**
     * An opaque access token for an active grant (R-NOTIFY-2), returned once; only its hash is kept.
     * @example await apps.issueToken('acc_1', 'app_1', {}, actor) // { accessToken: 'rn_at_…', expiresIn: 3600, … }
     */
    async issueToken(
      accountId: string,
      appId: string,
      input: { expiresIn?: number },
      actor: Actor,
    ): Promise<IssuedToken> {
      const state = await store.grantState(accountId, appId);
      if (!state || state.accountStatus === 'deleted') throw new DomainError('ACCOUNT_NOT_FOUND');
      if (!state.grant) throw new DomainError('NOT_FOUND');
      if (!state.grant.active)
        throw new DomainError('CONFLICT', { detail: `the grant to ${appId} has ended (R-NOTIFY-2)` });
      if (state.accountStatus !== 'active' || state.identityStatus === 'pending_recycle')
        throw new DomainError('CONFLICT', {
          detail: `grants are suspended while the account is ${state.identityStatus === 'pending_recycle' ? 'revoking its real name' : state.accountStatus}`,
        });
      const ttl = Math.min(MAX_TOKEN_TTL_SECONDS, Math.max(1, Math.trunc(input.expiresIn ?? defaultTtl)));
      const now = clock.now();
      const accessToken = `rn_at_${randomBytes(32).toString('base64url')}`;
      const expiresAt = now + ttl * 1000;
      await store.createGrantToken({
        hash: hashSecret(accessToken),
        accountId,
        appId,
        issuedAt: now,
        expiresAt,
      });
      await audit(actor, 'grant.token_issued', { appId, expiresAt }, accountId);
      return { accessToken, tokenType: 'Bearer', expiresIn: ttl, expiresAt };
    },

    /**
     * RFC 7662 introspection (R-NOTIFY-2, R-REV-3).
     * @example await apps.introspect('rn_at_…') // { active: true, client_id: 'app_1', sub: 'o…', exp, iat, token_type: 'Bearer' }
     */
    async introspect(token: string): Promise<Introspection> {
      const state = token ? await store.grantTokenState(hashSecret(token)) : null;
      if (!state) return { active: false };
      const { token: t, grant } = state;
      const now = clock.now();
      if (now >= t.expiresAt) return { active: false };
      // R-NOTIFY-2: the grant ended; R-REV-3: grants suspended while pending_recycle.
      if (!grant?.active || state.identityStatus === 'pending_recycle') return { active: false };
      if (state.accountStatus !== 'active' || t.issuedAt < grant.grantedAt) return { active: false };
      return {
        active: true,
        client_id: t.appId,
        sub: grant.openId,
        exp: seconds(t.expiresAt),
        iat: seconds(t.issuedAt),
        token_type: 'Bearer',
      };
    },

    /** The JWKS of the SET signing keys (current, and retired within the grace period). */
    jwks() {
      return keys.jwks();
    },

    /** Rotate the SET signing key (audited). */
    async rotateKeys(actor: Actor): Promise<{ kid: string; retired: string | null }> {
      const rotated = await keys.rotate();
      await audit(actor, 'signing_key.rotated', { kid: rotated.kid, retired: rotated.retired });
      return rotated;
    },

    /** Dead letters of the relay, by id (keyset paging). */
    async deadLetters(page: { after?: number | null; limit: number }): Promise<DeadLetterView[]> {
      const rows = await store.deadLetters(page);
      return rows.map((r: DeadLetter) => {
        const notice = parseNoticePayload(r.payload);
        return {
          id: r.id,
          topic: r.topic,
          key: r.key,
          accountId: r.accountId,
          appId: notice?.appId ?? null,
          event: notice?.event ?? null,
          attempts: r.attempts,
          lastError: r.lastError,
          createdAt: r.createdAt,
          deadAt: r.deadAt,
        };
      });
    },

    /** Queue an undelivered event again now, attempts starting over (audited). */
    async retry(id: number, actor: Actor): Promise<{ id: number; retried: true }> {
      const outcome = await store.retryOutbox(id, clock.now());
      if (outcome === 'missing') throw new DomainError('OUTBOX_EVENT_NOT_FOUND', { id });
      if (outcome === 'delivered')
        throw new DomainError('CONFLICT', { detail: `outbox event ${id} was already delivered` });
      await audit(actor, 'outbox.retried', { id });
      return { id, retried: true };
    },
  };
}

export type AppsService = ReturnType<typeof createAppsService>;
