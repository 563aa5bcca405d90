/**
 * The `realname` CLI, run as a real process (through tsx, so no build is needed) against a fresh
 * embedded store: demo, preflight table, keys, audit verify (and its failure on a tampered trail),
 * export, --help.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRealname } from './support/cli.js';

let dir: string;

function realname(...args: string[]): { code: number; out: string; err: string } {
  return runRealname({ REALNAME_DATA_DIR: dir }, ...args);
}

describe('realname CLI', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'realname-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('demo creates the demo accounts, idempotently', () => {
    const first = realname('demo');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain('demo data: 11 accounts created, 0 already there');
    const again = realname('demo');
    expect(again.err).toContain('demo data: 0 accounts created, 11 already there');
  });

  it('preflight prints every blocker as a table in the chosen language', () => {
    const r = realname('preflight', 'demo_residue', 'account.delete', '--lang', 'zh-CN');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('被 1 条规则阻止');
    expect(r.out).toContain('BALANCE_RESIDUE');
    expect(r.out).toContain('¥0.0050');
    const en = realname('preflight', 'demo_ready', 'account.delete');
    expect(en.out).toContain('ALLOWED');
    const bad = realname('preflight', 'demo_ready', 'account.nuke');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('unknown operation "account.nuke"');
  });

  it('keys create prints a secret once', () => {
    const r = realname('keys', 'create', '--scope', 'facts:read', 'operations:read', '--name', 'reporting');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/rn_key_[A-Za-z0-9_-]{40,}/);
    const bad = realname('keys', 'create', '--scope', 'root');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('unknown scope(s) root');
  });

  it('export prints the masked archive', () => {
    const r = realname('export', 'demo_busy');
    expect(r.code, r.err).toBe(0);
    const archive = JSON.parse(r.out) as { format: string; identity: { nameMasked: string } };
    expect(archive.format).toBe('realname-export/v1');
    expect(archive.identity.nameMasked).toBe('**龙');
    expect(r.out).not.toContain('李小龙');
  });

  it('audit verify passes, then names the first edited record of a tampered trail', () => {
    const ok = realname('audit', 'verify');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/audit chain OK: \d+ records/);
    const db = new Database(join(dir, 'realname.db'));
    db.prepare("update audit set action = 'account.tampered' where seq = 5").run();
    db.close();
    const bad = realname('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('audit chain BROKEN at record 5 (edited)');
  });

  it('every command has --help', () => {
    for (const cmd of [
      [],
      ['serve'],
      ['migrate'],
      ['demo'],
      ['preflight'],
      ['keys', 'create'],
      ['audit', 'verify'],
      ['export'],
    ]) {
      const r = realname(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out).toContain('Usage: realname');
    }
  });
});
