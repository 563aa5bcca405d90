/**
 * Who is calling. Every caller presents `Authorization: Bearer <secret>`; only the sha256 of the
 * secret is stored (ports.ts ApiKeyRecord), so a leaked table does not leak keys.
 *
 * Authentication is lazy: it runs in {@link requireScope}, i.e. in the route's preHandler, after
 * the rate limiter (onRequest) — a flood of made-up tokens is throttled before it reaches the store,
 * and public routes (health, docs) never touch the store at all.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { DomainError } from '../../core/errors/index.js';
import type { ApiKeyRecord, Store } from '../../core/ports.js';

/** The scopes a key can hold (defined once, in the app layer). `admin` satisfies every other. */
export { SCOPES, hashSecret, type Scope } from '../../app/admin.js';
import { hashSecret, type Scope } from '../../app/admin.js';

/**
 * What an end-user token may do without saying so: read its own account and run operations on it,
 * and only that one ({@link accountAccess} enforces the "only"). Facts are the platform's record
 * (balances, cards, status): a user never writes them.
 */
const USER_IMPLICIT_SCOPES: ReadonlySet<string> = new Set<Scope>([
  'facts:read',
  'operations:read',
  'operations:write',
]);

/** The authenticated caller, decorated on every request once {@link requireScope} has run. */
export interface Principal {
  /** The API key id; also the scope of this caller's Idempotency-Keys. */
  keyId: string;
  scopes: string[];
  /** Set for end-user tokens: the only account they may reach. */
  accountId: string | null;
  kind: 'platform' | 'user' | 'reviewer' | 'admin';
}

/** Resolves (once per request) the principal behind the request's bearer token. */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | null>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Null until {@link requireScope} authenticated the caller (or when the route is public). */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Installed by {@link registerAuth}; {@link requireScope} calls it. */
    authenticate: Authenticator;
  }
}

/**
 * A new random secret: the prefix (which says what it is, for secret scanners and humans) and 32
 * random bytes in base64url.
 *
 * @example
 * generateSecret('rn_live_') // 'rn_live_3q2-…' (51 characters)
 */
export function generateSecret(prefix = 'rn_live_'): string {
  return prefix + randomBytes(32).toString('base64url');
}

// RFC 6750 b64token, after a case-insensitive scheme (RFC 9110 §11.1).
const BEARER_RE = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The secret of an `Authorization: Bearer …` header, or null when there is none or it is malformed. */
export function bearerSecret(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  return BEARER_RE.exec(header)?.[1] ?? null;
}

/** The kind of a stored key, read from what it may do (the record has no kind of its own). */
export function principalKind(record: Pick<ApiKeyRecord, 'scopes' | 'accountId'>): Principal['kind'] {
  if (record.accountId !== null) return 'user';
  if (record.scopes.includes('admin')) return 'admin';
  if (record.scopes.includes('reviews:write')) return 'reviewer';
  return 'platform';
}

/** Whether a principal may use `scope` (admin satisfies everything; users have their implicit set). */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return (
    principal.scopes.includes('admin') ||
    principal.scopes.includes(scope) ||
    (principal.kind === 'user' && USER_IMPLICIT_SCOPES.has(scope))
  );
}

/** Options of {@link registerAuth}. */
export interface AuthOptions {
  store: Pick<Store, 'findApiKey'>;
  /** A bootstrap admin secret accepted besides the stored keys (null/undefined: none). */
  adminKey?: string | null;
}

/** The principal of the bootstrap admin key; its keyId scopes its Idempotency-Keys. */
const ADMIN_PRINCIPAL: Principal = { keyId: 'admin', scopes: ['admin'], accountId: null, kind: 'admin' };

/**
 * Decorate the root instance with `authenticate` and requests with `principal`.
 *
 * @example
 * registerAuth(app, { store, adminKey: config.adminKey });
 */
export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  // Both sides are hashed first so that timingSafeEqual compares equal lengths and the comparison
  // time does not depend on where the presented secret first differs from the admin key.
  const adminDigest = opts.adminKey ? createHash('sha256').update(opts.adminKey, 'utf8').digest() : null;
  const memo = new WeakMap<FastifyRequest, Promise<Principal | null>>();

  const resolve = async (request: FastifyRequest): Promise<Principal | null> => {
    const secret = bearerSecret(request);
    if (secret === null) return null;
    if (adminDigest !== null) {
      const presented = createHash('sha256').update(secret, 'utf8').digest();
      if (timingSafeEqual(presented, adminDigest)) return ADMIN_PRINCIPAL;
    }
    const record = await opts.store.findApiKey(hashSecret(secret));
    if (record === null || record.revokedAt !== null) return null;
    return {
      keyId: record.id,
      scopes: [...record.scopes],
      accountId: record.accountId,
      kind: principalKind(record),
    };
  };

  app.decorateRequest('principal', null);
  app.decorate('authenticate', (request: FastifyRequest): Promise<Principal | null> => {
    let pending = memo.get(request);
    if (pending === undefined) {
      pending = resolve(request).then((principal) => {
        request.principal = principal;
        return principal;
      });
      memo.set(request, pending);
    }
    return pending;
  });
}

/**
 * A preHandler for routes open to any valid key or token whatever its scopes (e.g. "who am I"):
 * no valid token → 401 UNAUTHENTICATED. {@link requireScope} starts with it.
 *
 * @example
 * app.get('/v1/session', { preHandler: requireAuthenticated }, handler);
 */
export async function requireAuthenticated(request: FastifyRequest): Promise<Principal> {
  const principal = await request.server.authenticate(request);
  if (principal === null) throw new DomainError('UNAUTHENTICATED');
  return principal;
}

/**
 * A preHandler that authenticates the caller and requires `scope`: no valid token → 401
 * UNAUTHENTICATED; a token without the scope → 403 FORBIDDEN naming it. `admin` satisfies every scope.
 * With `endUsers: false`, an end-user token is refused whatever its implicit scopes.
 *
 * @example
 * app.post('/v1/accounts/:accountId/facts', { preHandler: requireScope('facts:write'), schema }, handler);
 */
export function requireScope(
  scope: Scope,
  opts: { endUsers?: boolean } = {},
): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const principal = await requireAuthenticated(request);
    // An end-user token's implicit scopes are for its own account (accountAccess limits them there):
    // a platform route that names no account opts out, or a user token would read the platform's
    // records through them (found by the security suite: any user token listed every app).
    if (opts.endUsers === false && principal.kind === 'user') throw new DomainError('FORBIDDEN', { scope });
    if (!hasScope(principal, scope)) throw new DomainError('FORBIDDEN', { scope });
  };
}

/**
 * The authenticated principal of a request behind {@link requireScope}; throws UNAUTHENTICATED when
 * the route forgot the preHandler (so a handler never runs as "nobody").
 *
 * @example
 * const { keyId } = principalOf(request);
 */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new DomainError('UNAUTHENTICATED');
  return request.principal;
}

/**
 * Check that the caller may reach `accountId`. An end-user token reaching another account gets 404
 * ACCOUNT_NOT_FOUND — never 403, which would confirm that the account exists.
 *
 * @example
 * accountAccess(request, request.params.accountId);
 * const facts = await store.facts(request.params.accountId);
 */
export function accountAccess(request: FastifyRequest, accountId: string): void {
  const principal = principalOf(request);
  if (principal.accountId !== null && principal.accountId !== accountId) {
    // No params: the body must be byte-for-byte what a truly absent account gets.
    throw new DomainError('ACCOUNT_NOT_FOUND');
  }
}
