#!/usr/bin/env node
// The `realname` command: runs the compiled CLI (npm run build produces dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/adapters/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('realname: the service is not built yet; run `npm run build` (npm start does it for you).');
  process.exit(1);
}
const { runCli } = await import(entry.href);
await runCli(process.argv.slice(2));
