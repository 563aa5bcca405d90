/**
 * The `RiskStore` port (core/ports.ts) over the store's database (R-RISK-1/2/3): the risk events the
 * history needs, the risk history itself (the account's events, failed codes, inflows, and the other
 * accounts of its document under aliases), and the recorded decisions.
 *
 * Its own module rather than more of kysely-store.ts, like notify-store.ts — but unlike it, it runs
 * inside the account's transaction: a decision is taken under the account's lock and recorded with
 * what it decided, so every method reads and writes through the transaction open in the caller's
 * async context (`KyselyStore.currentTransaction`). Writing outside `withAccount` is refused.
 *
 * Nothing here is personal: documents are keyed hashes, phones are country calling codes, another
 * account appears as an alias that is stable for one document and says nothing about the account.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../../core/errors/index.js';
import type { OperationKind, Region } from '../../core/model.js';
import { phoneCountry } from '../../core/phone-country.js';
import type {
  AccountTx,
  RiskDecisionQuery,
  RiskDecisionRecord,
  RiskDecisionWrite,
  RiskEvaluation,
  RiskEventWrite,
  RiskSnapshot,
  RiskStore,
} from '../../core/ports.js';
import type { RiskHistory } from '../../core/risk/types.js';
import { assertNoPii } from './audit.js';
import type { KyselyStore } from './kysely-store.js';
import { flag, isSet, toNumber, type Database, type RiskDecisionsTable } from './schema.js';

/** What a stored refusal's detail holds. */
interface RefusalDetail {
  codes?: string[];
}

/**
 * The alias of an account among the holders of one document: a hash of both, so that it is stable
 * for that document (a reviewer can follow one account across decisions) and cannot be turned back
 * into an account id without knowing the document's key.
 */
function aliasOf(documentKey: string, accountId: string): string {
  return `da_${createHash('sha256').update(`${documentKey}\u0000${accountId}`).digest('base64url').slice(0, 16)}`;
}

function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

function toRecord(r: Selectable<RiskDecisionsTable>): RiskDecisionRecord {
  const shadow =
    r.shadow === null
      ? null
      : { ...parse<RiskEvaluation>(r.shadow), policyVersion: r.shadow_policy_version ?? '' };
  return {
    id: toNumber(r.id),
    accountId: r.account_id,
    operationId: r.operation_id,
    requestKind: r.request_kind as OperationKind,
    at: toNumber(r.at),
    live: parse<RiskEvaluation>(r.live),
    policyVersion: r.policy_version,
    snapshot: parse<RiskSnapshot>(r.snapshot),
    shadow,
    disagreement: isSet(r.disagreement),
  };
}

/**
 * @example
 * const riskStore = createRiskStore({ store });
 * await store.withAccount('acc_1', async (tx) => {
 *   const history = await riskStore.riskHistory('acc_1', null, now - 180 * DAY_MS);
 *   await riskStore.recordRiskEvent(tx, { kind: 'refusal', opKind: 'realname.revoke', documentKey: null, at: now, detail: { codes: ['NOT_PRIMARY_DEVICE'] } });
 * });
 */
export function createRiskStore(options: { store: KyselyStore }): RiskStore {
  const { store } = options;

  /** The account's transaction, for a write: it must commit or roll back with what it records. */
  function writer(tx: AccountTx, method: string): Kysely<Database> {
    const trx = store.currentTransaction();
    if (!trx)
      throw new Error(
        `RiskStore.${method}() outside withAccount(): a risk record is written in the transaction of what it records`,
      );
    void tx;
    return trx;
  }

  const reader = (): Kysely<Database> => store.currentTransaction() ?? store.db;

  return {
    async recordRiskEvent(tx, event: RiskEventWrite): Promise<void> {
      assertNoPii(event.detail, 'risk event detail');
      await writer(tx, 'recordRiskEvent')
        .insertInto('risk_events')
        .values({
          account_id: tx.accountId,
          document_key: event.documentKey,
          kind: event.kind,
          op_kind: event.opKind,
          at: event.at,
          detail: JSON.stringify(event.detail),
        })
        .execute();
    },

    async recordRiskDecision(tx, d: RiskDecisionWrite): Promise<number> {
      // The facts and the history come from this store, masked; the request is what the use case
      // stripped of document numbers: a raw ID or phone number there is a programming error. (The
      // facts are not scanned: the platform's own ids and texts in them are not ours to refuse.)
      assertNoPii(d.snapshot.request, 'risk decision request');
      const { policyVersion: shadowVersion, ...shadow } = d.shadow ?? { policyVersion: null };
      const row = await writer(tx, 'recordRiskDecision')
        .insertInto('risk_decisions')
        .values({
          operation_id: d.operationId,
          account_id: tx.accountId,
          request_kind: d.requestKind,
          at: d.at,
          outcome: d.live.outcome,
          decision: d.live.assessment?.decision ?? null,
          live: JSON.stringify(d.live),
          policy_version: d.policyVersion,
          snapshot: JSON.stringify(d.snapshot),
          shadow_policy_version: d.shadow ? shadowVersion : null,
          shadow: d.shadow ? JSON.stringify(shadow) : null,
          disagreement: flag(d.disagreement),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return toNumber(row.id);
    },

    async riskHistory(accountId, documentKey, since, opts = {}): Promise<RiskHistory> {
      const db = reader();
      const account = await db
        .selectFrom('accounts')
        .select(['phone_masked', 'region'])
        .where('id', '=', accountId)
        .executeTakeFirst();
      if (!account) throw new DomainError('ACCOUNT_NOT_FOUND', { accountId });
      // One statement for the three per-account sources (this runs inside every operation start);
      // the typed nulls of the first branch give PostgreSQL the column types of the union.
      const { rows } = await sql<{
        src: 'event' | 'failed' | 'inflow';
        kind: string | null;
        op_kind: string | null;
        at: number | string | bigint;
        detail: string | null;
        amount: number | string | bigint | null;
      }>`
        select 'event' as src, kind, op_kind, at, detail, cast(null as bigint) as amount, id as seq,
            cast(null as text) as rid
          from risk_events where account_id = ${accountId} and at >= ${since}
        union all
        select 'failed' as src, null, null, at, detail, null, id, null
          from history where account_id = ${accountId} and kind = 'failed_verification' and at >= ${since}
        union all
        select 'inflow' as src, null, null, at, null, amount, null, id
          from receipts where account_id = ${accountId} and at >= ${opts.inflowsSince ?? since}
        order by src, at, seq, rid`.execute(db);
      const events = rows.filter((r) => r.src === 'event');
      const failed = rows.filter((r) => r.src === 'failed');
      const inflows = rows.filter((r) => r.src === 'inflow');

      const history: RiskHistory = {
        phoneCountry: phoneCountry(account.phone_masked, account.region as Region),
        phoneCountryChanges: [],
        refusals: [],
        failedVerifications: failed.map((f) => ({ at: toNumber(f.at), purpose: f.detail ?? '' })),
        appeals: [],
        inflows: inflows.map((i) => ({ at: toNumber(i.at), amount: toNumber(i.amount ?? 0) })),
        documentAccounts: [],
        documentLimit: null,
      };
      for (const e of events) {
        const at = toNumber(e.at);
        const detail = parse<Record<string, unknown>>(e.detail ?? '{}');
        if (e.kind === 'refusal') {
          history.refusals.push({
            at,
            kind: e.op_kind as OperationKind,
            codes: (detail as RefusalDetail).codes ?? [],
          });
        } else if (e.kind === 'appeal') {
          const claim = detail.claim;
          history.appeals.push({ at, claim: claim === 'account_stolen' || claim === 'other' ? claim : null });
        } else if (e.kind === 'phone_country' && typeof detail.to === 'string') {
          history.phoneCountryChanges.push({
            at,
            from: typeof detail.from === 'string' ? detail.from : null,
            to: detail.to,
          });
        }
      }
      if (documentKey !== null)
        history.documentAccounts = await documentAccounts(
          db,
          accountId,
          documentKey,
          since,
          opts.documentFailuresSince ?? since,
        );
      return history;
    },

    async riskDecisions(query: RiskDecisionQuery): Promise<RiskDecisionRecord[]> {
      let q = reader().selectFrom('risk_decisions').selectAll();
      if (query.accountId !== undefined) q = q.where('account_id', '=', query.accountId);
      if (query.operationId !== undefined) q = q.where('operation_id', '=', query.operationId);
      if (query.disagreement !== undefined) q = q.where('disagreement', '=', flag(query.disagreement));
      if (query.since !== undefined) q = q.where('at', '>=', query.since);
      const after = query.afterId;
      if (after !== undefined && after !== null) q = q.where('id', query.newestFirst ? '<' : '>', after);
      const rows = await q
        .orderBy('id', query.newestFirst ? 'desc' : 'asc')
        .limit(query.limit)
        .execute();
      return rows.map(toRecord);
    },

    async countRiskDecisions(query: { since?: number }): Promise<number> {
      let q = reader()
        .selectFrom('risk_decisions')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'));
      if (query.since !== undefined) q = q.where('at', '>=', query.since);
      return toNumber((await q.executeTakeFirstOrThrow()).n);
    },
  };
}

/**
 * The other accounts that hold or held `documentKey` — as their identity, an earlier identity, the
 * target of a change, or the document of an event (a refused or held bind, a change attempt) — with
 * when each was created, its phone country, what was started on it since `since`, and its failed
 * codes after `failuresAfter`.
 */
async function documentAccounts(
  db: Kysely<Database>,
  self: string,
  documentKey: string,
  since: number,
  failuresAfter: number,
): Promise<RiskHistory['documentAccounts']> {
  const holders = await db
    .selectFrom('identities')
    .select('account_id')
    .where('document_key', '=', documentKey)
    .union(db.selectFrom('identity_history').select('account_id').where('document_key', '=', documentKey))
    .union(db.selectFrom('document_changes').select('account_id').where('document_key', '=', documentKey))
    .union(db.selectFrom('risk_events').select('account_id').where('document_key', '=', documentKey))
    .execute();
  const ids = [...new Set(holders.map((h) => h.account_id))].filter((id) => id !== self).sort();
  if (ids.length === 0) return [];
  const [accounts, events, failures] = await Promise.all([
    db
      .selectFrom('accounts')
      .select(['id', 'created_at', 'phone_masked', 'region'])
      .where('id', 'in', ids)
      .execute(),
    db
      .selectFrom('risk_events')
      .select(['account_id', 'kind', 'op_kind', 'at'])
      .where('account_id', 'in', ids)
      .where('kind', 'in', ['operation', 'refusal'])
      .where('at', '>=', since)
      .orderBy('at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('history')
      .select(['account_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
      .where('account_id', 'in', ids)
      .where('kind', '=', 'failed_verification')
      .where('at', '>', failuresAfter)
      .groupBy('account_id')
      .execute(),
  ]);
  const failed = new Map(failures.map((f) => [f.account_id, toNumber(f.n)]));
  return accounts
    .map((a) => ({
      alias: aliasOf(documentKey, a.id),
      createdAt: toNumber(a.created_at),
      phoneCountry: phoneCountry(a.phone_masked, a.region as Region),
      operations: events
        .filter((e) => e.account_id === a.id && e.op_kind !== null)
        .map((e) => ({
          at: toNumber(e.at),
          kind: e.op_kind as OperationKind,
          refused: e.kind === 'refusal',
        })),
      failedVerifications: failed.get(a.id) ?? 0,
    }))
    .sort((x, y) => x.createdAt - y.createdAt || (x.alias < y.alias ? -1 : 1));
}
