import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rule of ARCHITECTURE.md is enforced by ESLint; these tests prove the lint check
 * fails when it is broken (core importing a framework, an adapter or reading the clock).
 */
const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function ruleIds(text: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('dependency rule', () => {
  it('core may not import a framework or driver', async () => {
    for (const mod of ['fastify', 'kysely', 'better-sqlite3', 'pg', 'pino', 'node:fs']) {
      const ids = await ruleIds(`import x from '${mod}';\nexport const y = x;\n`, 'src/core/money.ts');
      expect(ids, mod).toContain('no-restricted-imports');
    }
  });

  it('core may not import an adapter or the app layer', async () => {
    for (const mod of ['../adapters/store/sqlite.js', '../app/operations.js']) {
      const ids = await ruleIds(`import { x } from '${mod}';\nexport const y = x;\n`, 'src/core/money.ts');
      expect(ids, mod).toContain('no-restricted-imports');
    }
  });

  it('core may not read the clock', async () => {
    expect(await ruleIds('export const t = Date.now();\n', 'src/core/money.ts')).toContain(
      'no-restricted-syntax',
    );
    expect(await ruleIds('export const t = new Date();\n', 'src/core/money.ts')).toContain(
      'no-restricted-syntax',
    );
  });

  it('core importing core is fine', async () => {
    expect(
      await ruleIds("import { DAY_MS } from './clock.js';\nexport const d = DAY_MS;\n", 'src/core/money.ts'),
    ).toEqual([]);
  });
});
