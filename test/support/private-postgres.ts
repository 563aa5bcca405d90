/**
 * A PostgreSQL server of the test's own, to stop, crash and restart under load — never the shared
 * server at 127.0.0.1:5432. `initdb` into a temporary directory, `pg_ctl start` on a free port
 * (fsync off: durability across a power cut is not what these tests are about; a killed server
 * still recovers from its WAL), removed at the end. As root, the binaries run as the `postgres` user
 * (PostgreSQL refuses to run as root).
 *
 * @example
 * const pgp = await startPrivatePostgres();
 * await pgp.restart('immediate'); // a crash and its recovery
 * await pgp.remove();
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.js';

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin/initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Whether a private server can be made here (the PostgreSQL server binaries are installed). */
export const privatePostgresAvailable = binDir() !== null;

export interface PrivatePostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** `fast`: clients disconnected, a clean shutdown; `immediate`: a crash, recovered from the WAL at start. */
  stop(mode: 'fast' | 'immediate'): void;
  start(): void;
  restart(mode: 'fast' | 'immediate'): void;
  /** Stop (immediately) and delete the data directory. */
  remove(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const root = mkdtempSync(join(tmpdir(), 'realname-pg-'));
  chmodSync(root, 0o777);
  const data = join(root, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[], check = true) => {
    const cmd = join(bin, tool);
    const r = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
      : spawnSync(cmd, args, { encoding: 'utf8' });
    if (check && r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = (mode: 'fast' | 'immediate') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    restart(mode) {
      stop(mode);
      start();
    },
    remove() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], false);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
