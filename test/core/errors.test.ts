import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  CODES,
  DomainError,
  message,
  pickLocale,
  remediationText,
} from '../../src/core/errors/index.js';
import { enMessages, enTerms } from '../../src/i18n/en.js';
import { zhCNMessages, zhCNTerms } from '../../src/i18n/zh-CN.js';

const placeholders = (s: string | undefined) =>
  [...(s ?? '').matchAll(/\{(\w+)(?::\w+)?\}/g)].map((m) => m[0]).sort();

describe('error catalogue', () => {
  it('every code has an English and a Chinese message with the same placeholders', () => {
    for (const code of CODES) {
      const en = enMessages[code] as { message: string; remediation?: string };
      const zh = zhCNMessages[code] as { message: string; remediation?: string };
      expect(en?.message, code).toBeTruthy();
      expect(zh?.message, code).toMatch(/[\u4e00-\u9fff]/);
      expect(placeholders(zh.message), code).toEqual(placeholders(en.message));
      expect(placeholders(zh.remediation), code).toEqual(placeholders(en.remediation));
      expect(Boolean(zh.remediation), code).toBe(Boolean(en.remediation));
    }
    expect(Object.keys(enMessages).sort()).toEqual([...CODES].sort());
    expect(Object.keys(zhCNMessages).sort()).toEqual([...CODES].sort());
  });

  it('every blocker has a remediation (action, where, text) and a SPEC rule id', () => {
    for (const code of CODES) {
      const info = CATALOGUE[code] as { kind: string; rule?: string; action?: string; where?: string };
      if (info.kind !== 'blocker') continue;
      expect(info.rule, code).toMatch(/^R-[A-Z]+-\d+$/);
      expect(info.action, code).toBeTruthy();
      expect(info.where, code).toBeTruthy();
      expect(remediationText('en', code), code).toBeTruthy();
    }
  });

  it('every placeholder of kind term has a translation for the values the terms table knows', () => {
    expect(Object.keys(zhCNTerms).sort()).toEqual(Object.keys(enTerms).sort());
  });

  it('every code has a row in the README error table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    const missing = CODES.filter((c) => !rows.has(c));
    expect(missing).toEqual([]);
  });

  it('every SPEC rule a code cites exists in the SPEC', () => {
    const spec = readFileSync(new URL('../../../shared/SPEC.md', import.meta.url), 'utf8');
    for (const code of CODES) {
      const rule = (CATALOGUE[code] as { rule?: string }).rule;
      if (rule) expect(spec, `${code} cites ${rule}`).toContain(rule);
    }
  });

  it('DomainError carries an English message for logs and the status of its code', () => {
    const e = new DomainError('IDEMPOTENCY_KEY_REUSED');
    expect(e.message).toBe('This Idempotency-Key was already used with a different request.');
    expect(e.status).toBe(409);
    expect(message('zh-CN', 'RATE_LIMITED', { retryAfter: 3 })).toBe('请求过于频繁，请在 3 秒后重试。');
  });

  it('Accept-Language picks zh-CN for any Chinese tag and English otherwise', () => {
    expect(pickLocale('zh-CN,zh;q=0.9')).toBe('zh-CN');
    expect(pickLocale('zh-TW')).toBe('zh-CN');
    expect(pickLocale('en-US,en;q=0.8')).toBe('en');
    expect(pickLocale('fr-FR, zh;q=0.5')).toBe('zh-CN');
    expect(pickLocale(undefined)).toBe('en');
    expect(pickLocale('')).toBe('en');
  });
});
