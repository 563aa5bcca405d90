/**
 * The `realname` CLI run as a real process, through tsx (no build needed), with a clean environment:
 * only PATH, HOME, a silent log and the variables given.
 * @example const r = runRealname({ REALNAME_DATA_DIR: dir }, 'demo'); expect(r.code).toBe(0);
 */
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

/** The argv (after the node executable) that runs `realname <args>` from the sources through tsx. */
export function realnameArgv(...args: string[]): string[] {
  return [
    '--import',
    'tsx',
    '-e',
    "import('./src/adapters/cli/index.ts').then((m) => m.runCli(process.argv.slice(1)))",
    '--',
    ...args,
  ];
}

export function runRealname(
  env: Record<string, string>,
  ...args: string[]
): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, realnameArgv(...args), {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, REALNAME_LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
