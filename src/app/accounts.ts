/**
 * Accounts and their facts (SPEC §2): the platform records what it knows; every change is one
 * transaction with its audit record and, where a third party may care, an outbox event.
 *
 * Risk control (R-RISK-1/2, app/risk.ts) reads two things recorded here: a change of the bound
 * phone's country, and every identity bind — decided like an operation start, since binding a known
 * document to a new account with an overseas phone is the re-registration route of R-RISK-2.
 */
import { startOfShanghaiDay } from '../core/calendar.js';
import {
  capabilities,
  checkFundOperation,
  restorationDue,
  type FundOperationKind,
} from '../core/capabilities.js';
import { validateDocument, type DocumentType } from '../core/document-number.js';
import { CATALOGUE, DomainError } from '../core/errors/index.js';
import { deriveOpenId, deriveUnionId, documentKey, idempotentId, newId } from '../core/ids.js';
import { maskDocumentNumber } from '../core/mask.js';
import type { AccountFacts, Grant, PendingTransaction, Region } from '../core/model.js';
import {
  factRowId,
  type AccountImport,
  type AccountPatch,
  type AccountTx,
  type FactKind,
  type FactRows,
  type PendingSubject,
} from '../core/ports.js';
import { createPreflight, type EvidenceKind } from '../core/preflight.js';
import { NO_TELEMETRY, type Actor, type AppDeps } from './deps.js';
import { assertEvidenceRefs } from './evidence.js';
import { move, openOperation } from './steps.js';
import { noticeApps } from './notices.js';
import { RISK_FACT_READS, type RiskService } from './risk.js';

export interface CreateAccountInput {
  id?: string;
  /** The request's Idempotency-Key: without an `id`, the new account's id is derived from it. */
  idempotencyKey?: string | null;
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
  /**
   * What risk control may ask for (R-RISK-1 step-up: a face verification, `liveness_video`): an
   * uploaded item of this account, referenced as at an operation start.
   */
  evidence?: { kind: EvidenceKind; ref: string }[];
}

/**
 * Bind a verified identity in `tx` (a bind, or a bind a reviewer released from a risk hold): the
 * clear name and number go to the store encrypted, the audit trail sees the masked number only, and
 * the platform is told through the outbox.
 */
export async function writeBoundIdentity(
  tx: AccountTx,
  subject: PendingSubject,
  now: number,
  actor: string,
): Promise<void> {
  await tx.writeIdentity({ ...subject, status: 'verified', verifiedAt: now, changedAt: null }, now);
  await tx.audit({
    at: now,
    actor,
    action: 'identity.bound',
    data: { documentType: subject.documentType, documentMasked: maskDocumentNumber(subject.documentNumber) },
  });
  await tx.outbox({
    topic: 'identity.verified',
    key: `identity.verified:${tx.accountId}:${now}`,
    payload: { accountId: tx.accountId, at: now },
  });
}

export interface TransactionInput {
  id?: string;
  /**
   * A fund operation: money out (payment, transfer, red packet, withdrawal), back (refund) or in
   * (receive). Checked against the capabilities (R-REV-5, R-MIN-5, R-REG-3).
   */
  kind: FundOperationKind;
  amount: number;
  status: 'pending' | 'completed' | 'cancelled';
  /** A transaction verified with the bound card counts towards restoration (R-REV-7). */
  verified?: boolean;
}

/**
 * The kinds kept as pending transactions while pending (they block deletion and revocation, R-DEL-1).
 * A pending receive is not the account's money yet, and a sent red packet waits as a red-packet fact.
 */
const PENDING_KINDS: ReadonlySet<string> = new Set<PendingTransaction['kind']>([
  'payment',
  'transfer',
  'withdrawal',
  'refund',
]);

/**
 * R-REV-4: the fund operations that interrupt a revocation in progress (a red packet is a transfer).
 * A refund or a receipt is money coming in: it does not interrupt.
 */
const INTERRUPTING_KINDS: ReadonlySet<FundOperationKind> = new Set([
  'payment',
  'transfer',
  'withdrawal',
  'red_packet',
]);

/** Fact rows a grant request carries: the pairwise ids are derived, never supplied. */
export type GrantInput = Omit<Grant, 'openId' | 'unionId'>;

/** The statuses the platform may set directly; deactivating/deleted only come from operations. */
const PLATFORM_STATUSES = new Set(['active', 'frozen', 'banned']);

/**
 * One account of a bulk import as a caller gives it: the identity with its clear number (checked,
 * normalised and keyed here, as a bind does) and grants without their pairwise ids (derived here).
 */
export interface AccountImportInput extends Omit<AccountImport, 'identity' | 'facts'> {
  identity:
    | (Omit<NonNullable<AccountImport['identity']>, 'documentKey'> & {
        /** As given; normalised by the GB 11643 / format check. */
        documentNumber: string;
      })
    | null;
  facts: Omit<AccountImport['facts'], 'grants'> & {
    grants?: readonly Omit<Grant, 'openId' | 'unionId'>[];
  };
}

export function createAccountService(deps: AppDeps, risk: RiskService) {
  const { store, clock, policy } = deps;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const preflightFn = createPreflight({ policy, calendar: deps.calendar });

  /**
   * R-REV-7: the first time a card bound again and the verified transactions since the revocation
   * meet the condition, the payment restrictions are lifted in the same transaction: a completed
   * `payment.restore` operation (started by the system, its timeline saying what lifted it) and a
   * `payment_restored` history event that the capabilities read. Once: afterwards the condition no
   * longer holds (restorationDue is false once restored).
   */
  async function restoreIfDue(
    tx: AccountTx,
    now: number,
    trigger: { kind: 'card_bound'; cardId: string } | { kind: 'verified_transaction'; transactionId: string },
  ): Promise<void> {
    const facts = await tx.facts(['cards']);
    const rules = policy.rulesFor(facts.account.region);
    if (!restorationDue(facts, rules)) return;
    const h = facts.history;
    const op = await openOperation(
      tx,
      {
        id: newId('op', deps.random),
        accountId: tx.accountId,
        kind: 'payment.restore',
        request: { kind: 'payment.restore', automatic: true },
        policyVersion: policy.version,
        actor: 'system',
        now,
        data: { automatic: true },
      },
      telemetry,
    );
    const liftedBy = {
      liftedBy: trigger.kind,
      ...(trigger.kind === 'card_bound'
        ? { cardId: trigger.cardId }
        : { transactionId: trigger.transactionId }),
      revokedAt: h.revokedAt ?? null,
      cardsBoundSinceRevocation: h.cardsBoundSinceRevocation,
      verifiedTransactionsSinceRevocation: h.verifiedTransactionsSinceRevocation,
      required: rules.effects.restoreVerifiedTransactions,
      lifted: ['daily_receive_limit', 'withdrawals', 'auto_debits'],
    };
    await move(tx, op, 'complete', { by: 'system', actor: 'system', now, data: liftedBy }, telemetry);
    await tx.addHistory({ kind: 'payment_restored', at: now });
    await tx.audit({
      at: now,
      actor: 'system',
      action: 'payment.restore.completed',
      operationId: op.id,
      data: liftedBy,
    });
    await tx.outbox({
      topic: 'payment.restored',
      key: `${op.id}:restored`,
      payload: { accountId: tx.accountId, operationId: op.id, automatic: true },
    });
  }

  /** The account row and its audit record, in one transaction. */
  async function insertAccount(
    id: string,
    input: CreateAccountInput,
    actor: Actor,
    now: number,
  ): Promise<void> {
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
  }

  return {
    /** @example await accounts.create({ region: 'CN', phone: '+86 13812345678' }, { id: 'platform:key_1' }) */
    async create(input: CreateAccountInput, actor: Actor): Promise<AccountFacts> {
      const derived =
        input.id === undefined && input.idempotencyKey
          ? idempotentId(deps.idSecret, 'acc', actor.id, input.idempotencyKey)
          : null;
      const id = input.id ?? derived ?? newId('acc', deps.random);
      const now = clock.now();
      try {
        await insertAccount(id, input, actor, now);
      } catch (error) {
        // SPEC §4: the retry of this caller's create whose answer was lost after the commit (found by
        // the reliability suite, PostgreSQL restarted under load): the account it made, not a second.
        if (derived !== null && error instanceof DomainError && error.code === 'ACCOUNT_EXISTS')
          return (await store.facts(id)) as AccountFacts;
        throw error;
      }
      return (await store.facts(id)) as AccountFacts;
    },

    /**
     * Import whole accounts in one transaction (`realname simulate --load`, the scale benchmark):
     * every document number checked as a bind checks it (DOCUMENT_NUMBER_INVALID names the account),
     * keyed for R-CHG-3, and every grant's OpenID/UnionID derived. Accounts that exist already are
     * left alone, so an interrupted import runs again from where it stopped.
     *
     * @example await accounts.importAccounts(batch, { id: 'system:import' })
     */
    async importAccounts(
      batch: readonly AccountImportInput[],
      actor: Actor,
    ): Promise<{ created: number; existing: number }> {
      const prepared: AccountImport[] = batch.map((a) => {
        const id = a.account.id;
        let identity: AccountImport['identity'] = null;
        if (a.identity) {
          const check = validateDocument(a.identity.documentType, a.identity.documentNumber);
          if (!check.ok)
            throw new DomainError('DOCUMENT_NUMBER_INVALID', {
              problem: check.problem,
              detail: `account ${id}: ${check.detail}`,
            });
          identity = {
            ...a.identity,
            name: a.identity.name.trim(),
            documentNumber: check.normalized,
            documentKey: documentKey(deps.idSecret, a.identity.documentType, check.normalized),
          };
        }
        const grants = (a.facts.grants ?? []).map((g) => ({
          ...g,
          openId: deriveOpenId(deps.idSecret, id, g.appId),
          unionId: deriveUnionId(deps.idSecret, id, g.developerId),
        }));
        return { ...a, identity, facts: { ...a.facts, grants } };
      });
      return store.importAccounts(prepared, {
        at: clock.now(),
        actor: actor.id,
        action: 'accounts.imported',
      });
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
        // R-NOTIFY-1: the apps are told the bound phone changed. Every patch that carries `phone`
        // counts: the stored number is sealed and not opened to compare, and telling the apps of a
        // resent number once more is harmless where missing a change would not be.
        if (patch.phone !== undefined) {
          // R-RISK-2: a phone moved to another country is recorded with the change.
          const after = await tx.facts([]);
          await risk.phoneChanged(tx, before.account, after.account, clock.now());
          await noticeApps(tx, {
            event: 'phone_changed',
            operationId: null,
            grants: before.grants,
            at: clock.now(),
            initiatingEntity: 'user',
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
        const bound = kind === 'cards' && !before.cards.some((c) => c.id === id);
        if (bound) {
          await tx.addHistory({ kind: 'card_bound', at: now });
          if (before.identity?.status === 'pending_completion') await tx.setIdentityStatus('verified', now);
        }
        await tx.putFact(kind, row);
        await tx.audit({ at: now, actor: actor.id, action: `fact.${kind}.put`, data: { id } });
        if (bound) await restoreIfDue(tx, now, { kind: 'card_bound', cardId: id });
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

    /**
     * Record a fund operation. A pending one blocks deletion (R-DEL-1); a verified completed one
     * counts for R-REV-7 and may lift the payment restrictions (restoreIfDue); a completed receive
     * counts against the daily receive limit (R-REV-5).
     *
     * A new operation is first checked against the capabilities (R-REV-5 receive limit and
     * withdrawal pause, R-MIN-5, R-REG-3): a refused one writes nothing but the audit record of the
     * refusal, and answers RECEIVE_LIMIT_EXCEEDED, WITHDRAWAL_PAUSED (with Retry-After),
     * TRANSFERS_DISABLED or PAYMENT_CLOSED. Completing or cancelling a pending one is not checked
     * again: it was accepted when it was recorded.
     *
     * R-REV-4: a payment, transfer, red packet or withdrawal recorded while a revocation of this
     * account is in `pending_recycle` aborts it in the same transaction (the saga then compensates
     * every participant); the fund operation itself is kept. A revocation already `committing` is not
     * interrupted: that decision is taken.
     */
    async recordTransaction(
      accountId: string,
      input: TransactionInput,
      actor: Actor,
    ): Promise<{ id: string; interruptedOperationId?: string }> {
      const id = input.id ?? newId('tx', deps.random);
      const result = await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const facts = await tx.facts();
        if (facts.account.status === 'deleted') throw new DomainError('ACCOUNT_NOT_FOUND');
        const known = facts.wallet.pendingTransactions.some((p) => p.id === id);
        const recorded = {
          id,
          kind: input.kind,
          amount: input.amount,
          status: input.status,
          verified: Boolean(input.verified),
        };
        if (input.status !== 'cancelled' && !known) {
          const caps = capabilities(facts, policy.rulesFor(facts.account.region), now);
          const receivedToday =
            input.kind === 'receive' ? await tx.receivedSince(startOfShanghaiDay(now)) : 0;
          const refusal = checkFundOperation(
            caps,
            { kind: input.kind, amount: input.amount },
            receivedToday,
            now,
          );
          if (refusal) {
            await tx.audit({
              at: now,
              actor: actor.id,
              action: 'transaction.refused',
              data: { ...recorded, code: refusal.code, rule: CATALOGUE[refusal.code].rule },
            });
            return { refusal, interrupted: null };
          }
        }

        if (input.status === 'pending' && PENDING_KINDS.has(input.kind)) {
          await tx.putFact('pending_transactions', {
            id,
            kind: input.kind as PendingTransaction['kind'],
            amount: input.amount,
            createdAt: now,
          });
        } else {
          await tx.deleteFact('pending_transactions', id);
          if (input.status === 'completed' && input.verified)
            await tx.addHistory({ kind: 'verified_transaction', at: now });
          if (input.status === 'completed' && input.kind === 'receive')
            await tx.recordReceipt({ id, at: now, amount: input.amount });
        }
        await tx.audit({ at: now, actor: actor.id, action: 'transaction.recorded', data: recorded });

        // R-REV-4: a fund operation interrupts a revocation that has not decided yet.
        let interrupted: string | null = null;
        const revocation = facts.openOperations.find(
          (o) => o.kind === 'realname.revoke' && o.state === 'pending_recycle',
        );
        if (revocation && input.status !== 'cancelled' && INTERRUPTING_KINDS.has(input.kind)) {
          const reason = {
            reason: 'REVOCATION_INTERRUPTED_BY_FUNDS',
            rule: 'R-REV-4',
            transactionId: id,
            transactionKind: input.kind,
            amount: input.amount,
          };
          await move(
            tx,
            { id: revocation.id, kind: revocation.kind, state: revocation.state },
            'abort',
            { by: 'system', actor: 'system', now, data: reason, deadline: { at: now, kind: 'saga' } },
            telemetry,
          );
          await tx.audit({
            at: now,
            actor: 'system',
            action: 'realname.revoke.interrupted',
            operationId: revocation.id,
            data: reason,
          });
          interrupted = revocation.id;
        }

        if (input.status === 'completed' && input.verified)
          await restoreIfDue(tx, now, { kind: 'verified_transaction', transactionId: id });
        return { refusal: null, interrupted };
      });
      if (result.refusal) {
        telemetry.refused([result.refusal.code]);
        throw new DomainError(result.refusal.code, result.refusal.params);
      }
      return result.interrupted ? { id, interruptedOperationId: result.interrupted } : { id };
    },

    /**
     * Identity verification (bind). A mainland number must pass GB 11643; the clear name and number
     * go to the store encrypted, the audit trail sees the masked number only.
     *
     * R-RISK-1/2: the bind is decided by risk control in the same transaction. A `step_up` or `deny`
     * refuses it (OPERATION_BLOCKED with RISK_STEP_UP_REQUIRED or RISK_DENIED); a `review` — the
     * overseas re-registration route — opens a case: an `identity.bind` operation held in
     * `risk_review` with the identity sealed until a reviewer releases it (then it is bound) or
     * rejects it, the account frozen by policy, and the bind refused with IDENTITY_BIND_HELD naming
     * that operation.
     */
    async bindIdentity(accountId: string, input: BindIdentityInput, actor: Actor): Promise<AccountFacts> {
      const check = validateDocument(input.documentType, input.documentNumber);
      if (!check.ok)
        throw new DomainError('DOCUMENT_NUMBER_INVALID', { problem: check.problem, detail: check.detail });
      const subject: PendingSubject = {
        name: input.name.trim(),
        documentType: input.documentType,
        documentNumber: check.normalized,
        documentKey: documentKey(deps.idSecret, input.documentType, check.normalized),
      };
      const result = await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        await assertEvidenceRefs(store, accountId, input.evidence ?? []);
        const facts = await tx.facts(RISK_FACT_READS);
        const status = facts.identity?.status;
        if (status === 'verified' || status === 'pending_completion' || status === 'pending_recycle') {
          throw new DomainError('CONFLICT', {
            detail: 'an identity is already bound; use the realname.change operation',
          });
        }
        if (facts.account.status === 'deleted') throw new DomainError('ACCOUNT_NOT_FOUND');
        const provided: Partial<Record<EvidenceKind, number>> = {};
        for (const key of new Set((input.evidence ?? []).map((e) => `${e.kind}\u0000${e.ref}`))) {
          const kind = key.split('\u0000')[0] as EvidenceKind;
          provided[kind] = (provided[kind] ?? 0) + 1;
        }
        const request = { kind: 'identity.bind' as const, documentType: input.documentType };
        const decided = await risk.decide(
          tx,
          {
            facts,
            request,
            context: {},
            appealClaim: null,
            documentKey: subject.documentKey,
            evidence: provided,
            now,
          },
          preflightFn({ facts, request, now }),
        );
        if (decided.live.outcome === 'refused') {
          await risk.record(tx, decided, null, actor);
          await tx.audit({
            at: now,
            actor: actor.id,
            action: 'identity.bind.refused',
            data: { codes: decided.blockers.map((b) => b.code), documentType: input.documentType },
          });
          return { refused: decided.blockers, heldOperationId: null };
        }
        if (decided.live.outcome === 'held') {
          const op = await openOperation(
            tx,
            {
              id: newId('op', deps.random),
              accountId,
              kind: 'identity.bind',
              request: { kind: 'identity.bind', documentType: input.documentType },
              policyVersion: policy.version,
              actor: actor.id,
              now,
            },
            telemetry,
          );
          await risk.record(tx, decided, op.id, actor);
          await tx.putPendingSubject(op.id, subject, now);
          await risk.hold(tx, op, decided, actor);
          return { refused: null, heldOperationId: op.id };
        }
        await risk.record(tx, decided, null, actor);
        await writeBoundIdentity(tx, subject, now, actor.id);
        return { refused: null, heldOperationId: null };
      });
      if (result.refused) {
        telemetry.refused(result.refused.map((b) => b.code));
        throw new DomainError('OPERATION_BLOCKED', { count: result.refused.length }, result.refused);
      }
      if (result.heldOperationId !== null)
        throw new DomainError('IDENTITY_BIND_HELD', { operationId: result.heldOperationId });
      return (await store.facts(accountId)) as AccountFacts;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
