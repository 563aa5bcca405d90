/**
 * Lists every SPEC rule id (R-…) that no test names, and exits non-zero when one of them is a rule
 * the preflight decides (cited in src/core/rules or by a blocker in the error catalogue).
 *
 * Usage: npm run spec:coverage [-- --spec ../shared/SPEC.md]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CATALOGUE } from '../src/core/errors/catalogue.js';

const root = resolve(import.meta.dirname, '..');
const specArg = process.argv.indexOf('--spec');
const specPath = specArg > 0 ? resolve(process.argv[specArg + 1] ?? '') : resolve(root, '../shared/SPEC.md');
if (!existsSync(specPath)) {
  console.error(`SPEC not found at ${specPath}; pass --spec <path>.`);
  process.exit(2);
}

const ID = /R-[A-Z]+-\d+/g;
const specIds = [...new Set(readFileSync(specPath, 'utf8').match(ID) ?? [])].sort(byId);

function byId(a: string, b: string): number {
  const [, pa = '', na = '0'] = /^R-([A-Z]+)-(\d+)$/.exec(a) ?? [];
  const [, pb = '', nb = '0'] = /^R-([A-Z]+)-(\d+)$/.exec(b) ?? [];
  return pa === pb ? Number(na) - Number(nb) : pa < pb ? -1 : 1;
}

function files(dir: string, match: (p: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, match));
    else if (match(p)) out.push(p);
  }
  return out;
}

const idsIn = (paths: string[]) => new Set(paths.flatMap((p) => readFileSync(p, 'utf8').match(ID) ?? []));

const testFiles = [
  ...files(join(root, 'test'), (p) => /\.test\.ts$/.test(p)),
  ...files(join(root, 'src'), (p) => /\.test\.ts$/.test(p)),
];
const tested = idsIn(testFiles);
// A rule the preflight decides: the id of a Rule object in src/core/rules, or the rule of a blocker.
const ruleIds = (paths: string[]) =>
  paths.flatMap((p) =>
    [...readFileSync(p, 'utf8').matchAll(/\bid: '(R-[A-Z]+-\d+)'/g)].map((m) => m[1] as string),
  );
const preflightRules = new Set([
  ...ruleIds(files(join(root, 'src/core/rules'), (p) => p.endsWith('.ts'))),
  ...Object.values(CATALOGUE)
    .filter((c) => c.kind === 'blocker')
    .map((c) => (c as { rule: string }).rule),
]);

const missing = specIds.filter((id) => !tested.has(id));
const missingPreflight = missing.filter((id) => preflightRules.has(id));

console.log(
  `SPEC ${relative(root, specPath)}: ${specIds.length} rule ids, ${specIds.length - missing.length} named by a test (${testFiles.length} test files).`,
);
if (missing.length === 0) {
  console.log('Every rule id is named by at least one test.');
} else {
  console.log('Not named by any test:');
  for (const id of missing)
    console.log(`  ${id}${preflightRules.has(id) ? '  (decided by the preflight)' : ''}`);
}
if (missingPreflight.length > 0) {
  console.error(`${missingPreflight.length} preflight rule(s) without a test: ${missingPreflight.join(' ')}`);
  process.exit(1);
}
