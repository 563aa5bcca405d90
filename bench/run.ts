/**
 * `npm run bench` runs every benchmark but the long ones of {@link SEPARATE}; `npm run bench -- NAME`
 * runs one (bench/NAME.ts), those included.
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f) && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
/** Run only when named: they load a million accounts and take about 25 minutes (scale) or start five services (scaleout). */
const SEPARATE = ['scale', 'scaleout'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : all.filter((b) => !SEPARATE.includes(b))) {
  console.error(`# bench ${name}`);
  const mod = (await import(pathToFileURL(`${dir}/${name}.ts`).href)) as { main: () => Promise<void> };
  await mod.main();
}
