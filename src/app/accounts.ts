/**
 * Accounts and their facts (SPEC §2): the platform records what it knows; every change is one
 * transaction with its audit record and, where a third party may care, an outbox event.
 */
import { validateDocument, type DocumentType } from '../core/document-number.js';
import { DomainError } from '../core/errors/index.js';
import { deriveOpenId, deriveUnionId, documentKey, newId } from '../core/ids.js';
import { maskDocumentNumber } from '../core/mask.js';
import type { AccountFacts, Grant, Region } from '../core/model.js';
import { factRowId, type AccountPatch, type FactKind, type FactRows } from '../core/ports.js';
import type { Actor, AppDeps } from './deps.js';

export interface CreateAccountInput {
  id?: string;
  region: Region;
  phone: string;
  email?: string | null;
  minor?: boolean;
  guardianAccountId?: string | null;
}

export interface BindIdentityInput {
  name: string;
  documentType: DocumentType;
  documentNumber: string;
}

export interface TransactionInput {
  id?: string;
  kind: 'payment' | 'transfer' | 'withdrawal' | 'refund' | 'receive';
  amount: number;
  status: 'pending' | 'completed' | 'cancelled';
  /** A transaction verified with the bound card counts towards restoration (R-REV-7). */
  verified?: boolean;
}

/** Fact rows a grant request carries: the pairwise ids are derived, never supplied. */
export type GrantInput = Omit<Grant, 'openId' | 'unionId'>;

/** The statuses the platform may set directly; deactivating/deleted only come from operations. */
const PLATFORM_STATUSES = new Set(['active', 'frozen', 'banned']);

export function createAccountService(deps: AppDeps) {
  const { store, clock } = deps;

  return {
    /** @example await accounts.create({ region: 'CN', phone: '+86 13812345678' }, { id: 'platform:key_1' }) */
    async create(input: CreateAccountInput, actor: Actor): Promise<AccountFacts> {
      const id = input.id ?? newId('acc', deps.random);
      const now = clock.now();
      await store.createAccount(
        {
          id,
          region: input.region,
          phone: input.phone,
          email: input.email ?? null,
          minor: input.minor ?? false,
          guardianAccountId: input.guardianAccountId ?? null,
          createdAt: now,
        },
        {
          at: now,
          actor: actor.id,
          action: 'account.created',
          data: { region: input.region, minor: input.minor ?? false },
        },
      );
      return (await store.facts(id)) as AccountFacts;
    },

    async get(accountId: string): Promise<AccountFacts> {
      const facts = await store.facts(accountId);
      if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND');
      return facts;
    },

    async list<K extends FactKind>(accountId: string, kind: K): Promise<FactRows[K][]> {
      return store.listFacts(accountId, kind);
    },

    async update(accountId: string, patch: AccountPatch, actor: Actor): Promise<AccountFacts> {
      if (patch.status !== undefined && !PLATFORM_STATUSES.has(patch.status)) {
        throw new DomainError('CONFLICT', {
          detail: `status "${patch.status}" is reached through an operation (account.delete), not set directly`,
        });
      }
      return store.withAccount(accountId, async (tx) => {
        const before = await tx.facts();
        if (
          patch.status !== undefined &&
          (before.account.status === 'deactivating' || before.account.status === 'deleted')
        ) {
          throw new DomainError('CONFLICT', { detail: `the account is ${before.account.status}` });
        }
        await tx.updateAccount(patch);
        // Only field names go to the audit trail: values may be personal (phone, email).
        await tx.audit({
          at: clock.now(),
          actor: actor.id,
          action: 'account.updated',
          data: { fields: Object.keys(patch).sort() },
        });
        if (patch.status && patch.status !== before.account.status) {
          await tx.audit({
            at: clock.now(),
            actor: actor.id,
            action: 'account.status_changed',
            data: { from: before.account.status, to: patch.status },
          });
        }
        return tx.facts();
      });
    },

    /**
     * Record or replace a fact row. A card bound again lifts `pending_completion` (R-CARD-4) and
     * counts towards restoration (R-REV-7).
     */
    async putFact<K extends FactKind>(
      accountId: string,
      kind: K,
      row: FactRows[K],
      actor: Actor,
    ): Promise<FactRows[K]> {
      return store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const before = await tx.facts();
        if (before.account.status === 'deleted') throw new DomainError('ACCOUNT_NOT_FOUND');
        const id = factRowId(kind, row);
        if (kind === 'cards' && !before.cards.some((c) => c.id === id)) {
          await tx.addHistory({ kind: 'card_bound', at: now });
          if (before.identity?.status === 'pending_completion') await tx.setIdentityStatus('verified', now);
        }
        await tx.putFact(kind, row);
        await tx.audit({ at: now, actor: actor.id, action: `fact.${kind}.put`, data: { id } });
        return row;
      });
    },

    /** A grant to a third-party app: the pairwise OpenID and UnionID are derived here. */
    async grant(accountId: string, input: GrantInput, actor: Actor): Promise<Grant> {
      const row: Grant = {
        ...input,
        openId: deriveOpenId(deps.idSecret, accountId, input.appId),
        unionId: deriveUnionId(deps.idSecret, accountId, input.developerId),
      };
      await this.putFact(accountId, 'grants', row, actor);
      return row;
    },

    async deleteFact(accountId: string, kind: FactKind, id: string, actor: Actor): Promise<void> {
      if (kind === 'cards') {
        throw new DomainError('CONFLICT', {
          detail: 'cards are removed through the card.unbind operation (R-CARD-*)',
        });
      }
      await store.withAccount(accountId, async (tx) => {
        if (!(await tx.deleteFact(kind, id))) throw new DomainError('NOT_FOUND');
        await tx.audit({ at: clock.now(), actor: actor.id, action: `fact.${kind}.deleted`, data: { id } });
      });
    },

    /** Record a transaction: a pending one blocks deletion (R-DEL-1); a verified one counts for R-REV-7. */
    async recordTransaction(
      accountId: string,
      input: TransactionInput,
      actor: Actor,
    ): Promise<{ id: string }> {
      const id = input.id ?? newId('tx', deps.random);
      await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        if (input.status === 'pending' && input.kind !== 'receive') {
          await tx.putFact('pending_transactions', {
            id,
            kind: input.kind,
            amount: input.amount,
            createdAt: now,
          });
        } else {
          await tx.deleteFact('pending_transactions', id);
          if (input.status === 'completed' && input.verified)
            await tx.addHistory({ kind: 'verified_transaction', at: now });
        }
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'transaction.recorded',
          data: {
            id,
            kind: input.kind,
            amount: input.amount,
            status: input.status,
            verified: Boolean(input.verified),
          },
        });
      });
      return { id };
    },

    /**
     * Identity verification (bind). A mainland number must pass GB 11643; the clear name and number
     * go to the store encrypted, the audit trail sees the masked number only.
     */
    async bindIdentity(accountId: string, input: BindIdentityInput, actor: Actor): Promise<AccountFacts> {
      const check = validateDocument(input.documentType, input.documentNumber);
      if (!check.ok)
        throw new DomainError('DOCUMENT_NUMBER_INVALID', { problem: check.problem, detail: check.detail });
      return store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const facts = await tx.facts();
        const status = facts.identity?.status;
        if (status === 'verified' || status === 'pending_completion' || status === 'pending_recycle') {
          throw new DomainError('CONFLICT', {
            detail: 'an identity is already bound; use the realname.change operation',
          });
        }
        if (facts.account.status === 'deleted') throw new DomainError('ACCOUNT_NOT_FOUND');
        await tx.writeIdentity(
          {
            status: 'verified',
            name: input.name.trim(),
            documentType: input.documentType,
            documentNumber: check.normalized,
            documentKey: documentKey(deps.idSecret, input.documentType, check.normalized),
            verifiedAt: now,
            changedAt: null,
          },
          now,
        );
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'identity.bound',
          data: { documentType: input.documentType, documentMasked: maskDocumentNumber(check.normalized) },
        });
        await tx.outbox({
          topic: 'identity.verified',
          key: `identity.verified:${accountId}:${now}`,
          payload: { accountId, at: now },
        });
        return tx.facts();
      });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
