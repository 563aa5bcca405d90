/**
 * Bulk import (`realname simulate --load`, issue 8 scale data): an imported account is a real account
 * — it reads back exactly as generated, its identity is sealed under its own data key and nothing
 * personal is in the file in clear, the audit chain holds one record per batch, the preflight and
 * an operation run on it — and an import is atomic per batch and resumable, on every dialect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedImport, loadPopulation } from '../../src/adapters/cli/load.js';
import { maskDocumentNumber, maskPhone } from '../../src/core/mask.js';
import { dialects } from '../support/dialects.js';
import { startService, type Service } from '../support/service.js';
import { runRealname } from '../support/cli.js';

const SEED = 7;
const N = 60;

describe.each(dialects().map((d) => d.name))('bulk import on %s', (dialect) => {
  let s: Service & { home: { dir: string } };
  beforeAll(async () => {
    s = await startService(dialect);
  });
  afterAll(() => s.stop());

  it('writes every account of the population in batches, one audit record each, and reads them back as generated', async () => {
    const seen: number[] = [];
    // One batch at a time, so the audit records come in account order.
    const r = await loadPopulation(s.rn, { accounts: N, seed: SEED, batch: 25, concurrency: 1 }, (done) =>
      seen.push(done),
    );
    expect(r).toMatchObject({ created: N, existing: 0 });
    expect(seen).toEqual([25, 50, 60]);

    const imports = (await s.rn.store.auditTrail({ limit: 1000 })).filter(
      (e) => e.action === 'accounts.imported',
    );
    expect(imports.map((e) => e.data)).toEqual([
      { count: 25, first: `sim_${SEED}_0`, last: `sim_${SEED}_24` },
      { count: 25, first: `sim_${SEED}_25`, last: `sim_${SEED}_49` },
      { count: 10, first: `sim_${SEED}_50`, last: `sim_${SEED}_59` },
    ]);
    expect((await s.call('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true });

    for (let i = 0; i < N; i++) {
      const input = simulatedImport(i, SEED);
      const id = input.account.id;
      const facts = await s.rn.store.facts(id);
      expect(facts, id).not.toBeNull();
      expect(facts!.account).toMatchObject({
        region: input.account.region,
        status: input.account.status,
        phoneMasked: maskPhone(input.account.phone),
        minor: input.account.minor,
        createdAt: input.account.createdAt,
      });
      expect(facts!.wallet.balance).toBe(input.account.balance);
      expect(facts!.cards).toEqual([...(input.facts.cards ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1)));
      expect(facts!.devices.map((d) => d.id).sort()).toEqual(
        (input.facts.devices ?? []).map((d) => d.id).sort(),
      );
      expect(facts!.logins).toHaveLength(input.facts.logins?.length ?? 0);
      expect(facts!.subscriptions).toHaveLength(input.facts.subscriptions?.length ?? 0);
      expect(facts!.redPackets).toHaveLength(input.facts.red_packets?.length ?? 0);
      expect(facts!.grants.map((g) => g.appId).sort()).toEqual(
        (input.facts.grants ?? []).map((g) => g.appId).sort(),
      );
      // Pairwise ids derived as for a grant through the API: one per app, none reveals the account.
      for (const g of facts!.grants) {
        expect(g.openId).not.toContain(id);
        expect(g.openId).not.toBe(g.unionId);
      }
      expect(facts!.history.cardUnbinds).toHaveLength(
        input.history.filter((h) => h.kind === 'card_unbind').length,
      );
      if (input.identity) {
        expect(facts!.identity).toMatchObject({
          status: input.identity.status,
          documentType: input.identity.documentType,
          documentMasked: maskDocumentNumber(input.identity.documentNumber),
        });
        // Sealed under the account's own data key: a reviewer's reveal opens it.
        const revealed = await s.rn.store.revealIdentity(id);
        expect(revealed?.current).toMatchObject({
          name: input.identity.name,
          documentNumber: input.identity.documentNumber,
        });
      } else {
        expect(facts!.identity).toBeNull();
      }
    }
  });

  it('keeps names, document numbers and phones out of the SQLite file in clear', () => {
    if (dialect !== 'sqlite') return;
    const bytes = Buffer.concat(
      ['realname.db', 'realname.db-wal']
        .map((f) => join(s.home.dir, f))
        .flatMap((f) => {
          try {
            return [readFileSync(f)];
          } catch {
            return [];
          }
        }),
    );
    for (let i = 0; i < N; i++) {
      const input = simulatedImport(i, SEED);
      expect(bytes.includes(Buffer.from(input.account.phone.replace(/\D/g, '')))).toBe(false);
      if (!input.identity) continue;
      expect(bytes.includes(Buffer.from(input.identity.documentNumber))).toBe(false);
      expect(bytes.includes(Buffer.from(input.identity.name))).toBe(false);
    }
  });

  it('runs again from where it stopped: accounts already there are left as they are', async () => {
    // Three batches in flight at once: each still commits whole, and each account exactly once.
    const again = await loadPopulation(s.rn, { accounts: N + 15, seed: SEED, batch: 10, concurrency: 3 });
    expect(again).toMatchObject({ created: 15, existing: N });
    for (let i = N; i < N + 15; i++) expect(await s.rn.store.facts(`sim_${SEED}_${i}`)).not.toBeNull();
    const imports = (await s.rn.store.auditTrail({ limit: 1000 })).filter(
      (e) => e.action === 'accounts.imported',
    );
    expect(imports.reduce((n, e) => n + (e.data as { count: number }).count, 0)).toBe(N + 15);
    expect((await s.call('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true });
  });

  it('leaves the planner statistics of the imported tables fresh (ANALYZE after the load)', async () => {
    const analyzed =
      dialect === 'sqlite'
        ? sql<{ name: string }>`select distinct tbl as name from sqlite_stat1`
        : sql<{ name: string }>`
            select relname as name from pg_stat_user_tables
            where schemaname = current_schema() and last_analyze is not null`;
    const { rows } = await analyzed.execute(s.rn.store.db);
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['accounts', 'identities', 'cards', 'history']),
    );
  });

  it('refuses a batch with an invalid document number whole, naming the account, and writes nothing of it', async () => {
    const good = simulatedImport(0, 99);
    const bad = simulatedImport(1, 99);
    bad.identity = {
      ...(bad.identity ?? {
        name: '王伟',
        documentType: 'cn_id',
        status: 'verified',
        verifiedAt: 0,
        changedAt: null,
        statusAt: 0,
      }),
      documentType: 'cn_id',
      documentNumber: '110105199001011230', // wrong check digit
    };
    const before = (await s.rn.store.auditTrail({ limit: 10_000 })).length;
    await expect(
      s.rn.services.accounts.importAccounts([good, bad], { id: 'system:test' }),
    ).rejects.toMatchObject({
      code: 'DOCUMENT_NUMBER_INVALID',
      params: { problem: 'check_digit', detail: expect.stringContaining(bad.account.id) },
    });
    expect(await s.rn.store.facts(good.account.id)).toBeNull();
    expect((await s.rn.store.auditTrail({ limit: 10_000 })).length).toBe(before);
  });

  it('an imported account is live: its preflight decides on its facts and a card unbind runs on it', async () => {
    // The first imported account with a debit card and a verified identity.
    let pick: ReturnType<typeof simulatedImport> | null = null;
    for (let i = 0; i < N && !pick; i++) {
      const a = simulatedImport(i, SEED);
      if (a.account.status === 'active' && a.identity && a.facts.cards?.some((c) => c.type === 'debit'))
        pick = a;
    }
    expect(pick).not.toBeNull();
    const id = pick!.account.id;
    const card = pick!.facts.cards!.find((c) => c.type === 'debit')!;
    const pre = await s.call('GET', `/v1/accounts/${id}/operations/deletion/preflight`);
    expect(pre.status).toBe(200);
    // R-DEL-1: the imported cards block a deletion, each named.
    expect(pre.body.blockers.filter((b: { code: string }) => b.code === 'CARD_BOUND')).toHaveLength(
      pick!.facts.cards!.length,
    );
    const req = await s.call('POST', `/v1/accounts/${id}/verifications`, {
      body: { purpose: 'card.unbind', cardId: card.id },
    });
    expect(req.status).toBe(201);
    const code = s.rn.sms.lastCode(id, `card.unbind:${card.id}`);
    expect(
      (
        await s.call('POST', `/v1/accounts/${id}/verifications/${req.body.challengeId}/verify`, {
          body: { code },
        })
      ).status,
    ).toBe(200);
    const start = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: { cardId: card.id, evidence: [{ kind: 'reserved_phone_code', ref: req.body.challengeId }] },
    });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    expect((await s.rn.store.facts(id))!.cards.map((c) => c.id)).not.toContain(card.id);
  });
});

describe('realname simulate --load (CLI)', () => {
  it('loads into the embedded store with a progress line, and a second run skips what is there', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'realname-load-'));
    try {
      const env = { REALNAME_DATA_DIR: dir, REALNAME_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
      const first = runRealname(env, 'simulate', '--accounts', '40', '--load', '--batch', '16');
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/40 accounts written, 0 already there/);
      expect(first.err).toMatch(/loading: 40\/40 accounts/);
      const second = runRealname(env, 'simulate', '--accounts', '40', '--load');
      expect(second.out).toMatch(/0 accounts written, 40 already there/);
      const bad = runRealname(env, 'simulate', '--accounts', '5', '--load', '--evaluate');
      expect(bad.code).not.toBe(0);
      expect(bad.err).toMatch(/--load and --evaluate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
