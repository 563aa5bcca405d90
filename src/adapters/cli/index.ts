/**
 * `realname` — the command line: serve, migrate, demo, preflight, keys, audit, export, simulate,
 * backtest.
 * The CLI entry is, with main.ts, the only place that wires everything (ARCHITECTURE.md).
 */
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig, type Config } from '../../config.js';
import { createRealname, type Realname } from '../../main.js';
import { hashSecret, SCOPES } from '../../app/admin.js';
import type { Locale } from '../../i18n/types.js';
import type { OperationKind, OperationRequest } from '../../core/model.js';
import { OPERATION_KINDS } from '../../core/model.js';
import { migrateDown } from '../store/migrations/index.js';
import { loadDemo } from './demo.js';
import { simulateCommand } from './simulate.js';
import { backtestCommand } from './backtest.js';

const quietLog = { info: () => undefined, warn: (m: string) => console.error(m) };

async function open(): Promise<Realname> {
  const config = loadConfig(process.env);
  return createRealname(config, { env: process.env, log: quietLog, httpLogger: false });
}

function fail(message: string): never {
  console.error(`realname: ${message}`);
  process.exit(1);
}

/** The demo key is derived from the master key, so every start prints the same one. */
function demoSecret(rn: Realname): string {
  return `rn_demo_${rn.deriveSecret('demo-admin-key')}`;
}

async function ensureDemoKey(rn: Realname): Promise<string> {
  const secret = demoSecret(rn);
  if (!(await rn.store.findApiKey(hashSecret(secret)))) {
    await rn.services.admin.createKey(
      { name: 'demo admin', scopes: ['admin'], secret },
      { id: 'system:demo' },
    );
  }
  return secret;
}

/** First start without REALNAME_ADMIN_KEY: create an admin key and print it once. */
async function bootstrapAdmin(rn: Realname, config: Config): Promise<string | null> {
  if (config.REALNAME_ADMIN_KEY) return null;
  if (await rn.store.hasApiKeys()) return null;
  const key = await rn.services.admin.createKey(
    { name: 'bootstrap admin', scopes: ['admin'] },
    { id: 'system:bootstrap' },
  );
  return key.secret;
}

async function runDemo(rn: Realname, progress = process.stderr.isTTY): Promise<void> {
  const bar = progress
    ? new SingleBar(
        { format: 'demo data |{bar}| {value}/{total} {title}', hideCursor: true },
        Presets.shades_classic,
      )
    : null;
  let started = false;
  const result = await loadDemo(
    {
      accounts: rn.services.accounts,
      clock: rn.clock,
      exists: async (id) => (await rn.store.account(id)) !== null,
    },
    (done, total, title) => {
      if (bar && !started) {
        bar.start(total, 0, { title: '' });
        started = true;
      }
      bar?.update(done, { title: title.slice(0, 60) });
      if (!bar) console.error(`demo data ${done}/${total}: ${title}`);
    },
  );
  bar?.stop();
  console.error(
    `demo data: ${result.created.length} accounts created, ${result.existing.length} already there`,
  );
}

const PATHS: Record<string, OperationKind> = Object.fromEntries(OPERATION_KINDS.map((k) => [k, k]));

export function buildCli(): Command {
  const program = new Command('realname')
    .description(
      'Realname: the lifecycle of a verified real-name identity (实名认证), under policy, every blocker explained.',
    )
    .showHelpAfterError();

  program
    .command('serve')
    .description(
      'Run the HTTP API (embedded SQLite under ./data by default, PostgreSQL with REALNAME_DATABASE_URL)',
    )
    .option('--demo', 'load the demo accounts and print a demo admin key')
    .option('--no-worker', 'do not run the timer worker in this process (run `realname worker` instead)')
    .addOption(
      new Option('-p, --port <port>', 'port (default: $PORT or 3000)').argParser((v) =>
        Number.parseInt(v, 10),
      ),
    )
    .action(async (opts: { demo?: boolean; port?: number; worker: boolean }) => {
      const config = loadConfig(process.env);
      const rn = await createRealname(config, {
        env: process.env,
        log: { info: console.log, warn: console.warn },
        demo: opts.demo === true,
      });
      const admin = await bootstrapAdmin(rn, config);
      let demoKey: string | null = null;
      if (opts.demo) {
        await runDemo(rn);
        demoKey = await ensureDemoKey(rn);
      }
      if (opts.worker) rn.startWorker();
      const port = opts.port ?? config.PORT;
      await rn.server.listen({ port, host: config.HOST });
      const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
      console.log(`\nRealname is listening on ${base}`);
      console.log(`  web:           ${base}/   (self-service page)   ${base}/admin   (review console)`);
      console.log(`  API docs:      ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
      if (demoKey)
        console.log(
          `  demo API key:  ${demoKey}   (admin; try: curl -H "Authorization: Bearer ${demoKey}" ${base}/v1/accounts/demo_busy/operations/deletion/preflight)`,
        );
      if (admin)
        console.log(
          `  admin key:     ${admin}   (printed once: keep it; set REALNAME_ADMIN_KEY to choose your own)`,
        );
      const stop = () => {
        void rn.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('worker')
    .description('Run only the timer worker (cooling-off purges, …); several may run against one PostgreSQL')
    .addOption(
      new Option('--interval <ms>', 'sweep interval')
        .argParser((v) => Number.parseInt(v, 10))
        .default(10_000),
    )
    .option('--once', 'sweep the due timers once and exit')
    .action(async (opts: { interval: number; once?: boolean }) => {
      const rn = await open();
      if (opts.once) {
        const r = await rn.services.timers.sweep();
        console.log(
          `fired ${r.fired.length} timer(s)${r.fired.length ? `: ${r.fired.map((f) => `${f.timer} ${f.operationId}`).join(', ')}` : ''}`,
        );
        // R-NOTIFY-1: and the security events due now (the NATS relay too when configured).
        const pushed = await rn.notify.push.runOnce();
        console.log(
          `security events: ${pushed.delivered} delivered, ${pushed.retried} to retry, ${pushed.dead} dead-lettered`,
        );
        if (rn.notify.nats) console.log(`nats: ${(await rn.notify.nats.runOnce()).published} published`);
        await rn.close();
        return;
      }
      rn.startWorker(opts.interval);
      console.log(`timer worker running (every ${opts.interval} ms); Ctrl-C to stop`);
      const stop = () => {
        void rn.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('migrate')
    .description('Apply the store migrations (or undo the last one with --down)')
    .option('--down', 'undo the last migration')
    .action(async (opts: { down?: boolean }) => {
      const rn = await open();
      if (opts.down) await migrateDown(rn.store.db);
      console.log(opts.down ? 'Last migration undone.' : 'Store migrated to the latest version.');
      await rn.close();
    });

  program
    .command('demo')
    .description('Create the demo accounts (every blocker, every operation); idempotent')
    .action(async () => {
      const rn = await open();
      await runDemo(rn);
      await rn.close();
    });

  program
    .command('preflight')
    .description('Print every blocker of an operation as a table, in the chosen language')
    .argument('<account>', 'account id')
    .argument('<operation>', `one of ${OPERATION_KINDS.join(', ')}`)
    .option('--card <id>', 'card id (card.unbind)')
    .option('--link <id>', 'enterprise link id (enterprise.detach)')
    .option('--device <id>', 'device the request comes from')
    .addOption(new Option('--lang <locale>', 'language').choices(['en', 'zh-CN']).default('en'))
    .option('--json', 'print the preflight as JSON')
    .action(
      async (
        account: string,
        operation: string,
        opts: { card?: string; link?: string; device?: string; lang: Locale; json?: boolean },
      ) => {
        const kind = PATHS[operation];
        if (!kind) fail(`unknown operation "${operation}"; use one of ${OPERATION_KINDS.join(', ')}`);
        const request = (
          kind === 'card.unbind'
            ? { kind, cardId: opts.card ?? fail('--card <id> is required for card.unbind') }
            : kind === 'enterprise.detach'
              ? { kind, linkId: opts.link ?? fail('--link <id> is required for enterprise.detach') }
              : { kind }
        ) as OperationRequest;
        const rn = await open();
        try {
          const r = await rn.services.operations.preflight(account, request, {
            deviceId: opts.device ?? null,
          });
          if (opts.json) {
            console.log(JSON.stringify(r, null, 2));
            return;
          }
          const l = opts.lang;
          console.log(
            `${kind} for ${account}: ${r.allowed ? (l === 'en' ? 'ALLOWED' : '可以执行') : l === 'en' ? `BLOCKED by ${r.blockers.length}` : `被 ${r.blockers.length} 条规则阻止`}   (policy ${r.policyVersion})`,
          );
          if (r.blockers.length) {
            console.table(
              r.blockers.map((b) => ({
                code: b.code,
                rule: b.rule,
                [l === 'en' ? 'why' : '原因']: b.message[l],
                [l === 'en' ? 'fix' : '解决办法']: b.remediation.message[l],
              })),
            );
          }
          if (r.warnings.length)
            console.table(r.warnings.map((w) => ({ warning: w.code, message: w.message[l] })));
          if (r.consequences.length)
            console.table(
              r.consequences.map((c) => ({
                consequence: c.code,
                reversible: c.reversible,
                message: c.message[l],
              })),
            );
        } finally {
          await rn.close();
        }
      },
    );

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('Create an API key and print its secret once')
    .requiredOption('--scope <scopes...>', `one or more of ${SCOPES.join(', ')}`)
    .option('--name <name>', 'a name to recognise the key by', 'cli')
    .option('--account <id>', 'make an end-user token for this account instead')
    .action(async (opts: { scope: string[]; name: string; account?: string }) => {
      const rn = await open();
      try {
        const k = await rn.services.admin.createKey(
          { name: opts.name, scopes: opts.scope, accountId: opts.account ?? null },
          { id: 'system:cli' },
        );
        console.log(
          `key ${k.id} (${k.scopes.join(', ')})\n${k.secret}\nThe secret is shown once; only its hash is stored.`,
        );
      } finally {
        await rn.close();
      }
    });

  keys
    .command('rotate')
    .description(
      'Rotate the key that signs security events (R-NOTIFY-1); the old one stays in the JWKS for its grace period',
    )
    .action(async () => {
      const rn = await open();
      try {
        const r = await rn.services.apps.rotateKeys({ id: 'system:cli' });
        console.log(
          `signing key ${r.kid} is current${r.retired ? `; ${r.retired} retired (published for ${rn.config.REALNAME_SIGNING_KEY_GRACE_DAYS} more days)` : ''}`,
        );
      } finally {
        await rn.close();
      }
    });

  program
    .command('audit')
    .description('Audit trail tools')
    .command('verify')
    .description('Verify the hash chain; exits 1 and names the first edited, removed or reordered record')
    .action(async () => {
      const rn = await open();
      const v = await rn.services.admin.verifyAudit();
      await rn.close();
      if (v.ok) console.log(`audit chain OK: ${v.count} records, last hash ${v.lastHash}`);
      else fail(`audit chain BROKEN at record ${v.firstBadSeq} (${v.reason}); ${v.count} records checked`);
    });

  program
    .command('export')
    .description('Export all data of an account as JSON (R-EXP-1), masked')
    .argument('<account>', 'account id')
    .action(async (account: string) => {
      const rn = await open();
      try {
        console.log(JSON.stringify(await rn.services.operations.exportData(account), null, 2));
      } finally {
        await rn.close();
      }
    });

  program.addCommand(simulateCommand(open));
  program.addCommand(backtestCommand(open));

  return program;
}

/** Run the CLI on the user's arguments (without `node` and the script). */
export async function runCli(args: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(args, { from: 'user' });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}
