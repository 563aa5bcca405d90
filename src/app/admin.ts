/**
 * Administration: API keys (stored as hashes; the secret is shown once) and the audit trail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../core/errors/index.js';
import { newId } from '../core/ids.js';
import type { ApiKeyRecord } from '../core/ports.js';
import type { Actor, AppDeps } from './deps.js';

export const SCOPES = [
  'facts:read',
  'facts:write',
  'operations:read',
  'operations:write',
  'reviews:write',
  /** Register and change third-party apps, issue grant tokens (R-NOTIFY-1/2). */
  'apps:write',
  /** RFC 7662 token introspection, for resource servers (R-NOTIFY-2). */
  'introspect',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** sha256 hex of a key secret: what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface CreatedKey {
  id: string;
  name: string;
  scopes: string[];
  accountId: string | null;
  /** Shown once; only its hash is stored. */
  secret: string;
}

export function createAdminService(deps: AppDeps) {
  const { store, clock } = deps;
  return {
    /**
     * A platform, reviewer or admin key; or, with `accountId`, an end-user token that can act on that
     * account only.
     * @example await admin.createKey({ name: 'ops', scopes: ['facts:write'] }, actor) // { secret: 'rn_…' }
     */
    async createKey(
      input: { name: string; scopes: string[]; accountId?: string | null; secret?: string },
      actor: Actor,
    ): Promise<CreatedKey> {
      const unknown = input.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s) && s !== 'user');
      if (unknown.length)
        throw new DomainError('VALIDATION_FAILED', {
          detail: `unknown scope(s) ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`,
        });
      if (input.accountId && !(await store.account(input.accountId)))
        throw new DomainError('ACCOUNT_NOT_FOUND');
      const kind = input.accountId ? 'user' : 'key';
      const secret = input.secret ?? `rn_${kind}_${randomBytes(32).toString('base64url')}`;
      const rec: ApiKeyRecord = {
        id: newId('key', deps.random),
        hash: hashSecret(secret),
        name: input.name,
        scopes: input.accountId ? ['user'] : [...new Set(input.scopes)],
        accountId: input.accountId ?? null,
        createdAt: clock.now(),
        revokedAt: null,
      };
      await store.createApiKey(rec);
      await store.auditSystem({
        at: rec.createdAt,
        actor: actor.id,
        action: 'key.created',
        accountId: rec.accountId,
        data: { keyId: rec.id, name: rec.name, scopes: rec.scopes },
      });
      return { id: rec.id, name: rec.name, scopes: rec.scopes, accountId: rec.accountId, secret };
    },

    auditTrail(opts: { accountId?: string; afterSeq?: number; limit?: number }) {
      return store.auditTrail(opts);
    },

    verifyAudit() {
      return store.verifyAudit();
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
