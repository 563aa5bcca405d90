/** Prints the README's error table from the catalogue: `npx tsx scripts/error-table.ts`. */
import { CATALOGUE, CODES } from '../src/core/errors/catalogue.js';
import { enMessages } from '../src/i18n/en.js';

console.log('| code | kind | rule | HTTP | meaning (en) |');
console.log('|---|---|---|---|---|');
for (const code of CODES) {
  const info = CATALOGUE[code] as { kind: string; rule?: string; status?: number };
  const msg = (enMessages[code] as { message: string }).message.replace(/\|/g, '\\|');
  console.log(
    `| \`${code}\` | ${info.kind} | ${info.rule ?? ''} | ${info.status ?? (info.kind === 'blocker' ? 422 : '')} | ${msg} |`,
  );
}
