/**
 * The composition root: the only place that wires adapters to the core and the use cases. The CLI
 * (`realname serve`, …) and the end-to-end tests build the service through `createRealname`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { createAccountService } from './app/accounts.js';
import { createCapabilityService } from './app/capabilities.js';
import { createAdminService } from './app/admin.js';
import { createAppsService } from './app/apps.js';
import type { AppDeps } from './app/deps.js';
import { createOperationService } from './app/operations.js';
import { createEvidenceService } from './app/evidence.js';
import { createReviewService } from './app/reviews.js';
import { createRiskService } from './app/risk.js';
import { createRiskStore } from './adapters/store/risk-store.js';
import { createStatsStore } from './adapters/store/stats-store.js';
import { createStatsService } from './app/stats.js';
import { createDemoService } from './app/demo.js';
import { DEMO_ACCOUNTS } from './adapters/cli/demo.js';
import { statsRoutes } from './adapters/http/routes/stats.js';
import { sessionRoutes } from './adapters/http/routes/session.js';
import { webRoutes } from './adapters/web/plugin.js';
import { riskRoutes } from './adapters/http/routes/risk.js';
import { createTimerService } from './app/timers.js';
import { createRevocationSaga, type RevocationSaga, type SagaPoint } from './app/saga.js';
import { builtinParticipants } from './adapters/participants/builtin.js';
import { httpParticipant, parseHttpParticipants } from './adapters/participants/http.js';
import type { Participant } from './core/ports.js';
import { createVerificationService } from './app/verifications.js';
import { createDevSmsSender, type DevSmsSender } from './adapters/notify/sms.js';
import { createDevBank, type DevBank } from './adapters/bank/dev-bank.js';
import { devSmsRoutes, verificationRoutes } from './adapters/http/routes/verifications.js';
import { startTimerWorker, type TimerWorker } from './adapters/workers/timer-worker.js';
import { buildServer, createMetrics, type RealnameServer } from './adapters/http/index.js';
import { accountRoutes } from './adapters/http/routes/accounts.js';
import { capabilityRoutes } from './adapters/http/routes/capabilities.js';
import { adminRoutes } from './adapters/http/routes/admin.js';
import { operationRoutes } from './adapters/http/routes/operations.js';
import { evidenceRoutes } from './adapters/http/routes/evidence.js';
import { reviewRoutes } from './adapters/http/routes/reviews.js';
import { appRoutes } from './adapters/http/routes/apps.js';
import { createSigningKeys, type SigningKeys } from './adapters/notify/keys.js';
import { createNatsRelay, type NatsRelay } from './adapters/notify/nats.js';
import { createPushRelay, type PushRelay } from './adapters/notify/push.js';
import { createNotifyStore } from './adapters/store/notify-store.js';
import { startRelayWorker, type Relay, type RelayWorker } from './adapters/workers/relay-worker.js';
import type { NotifyStore } from './core/ports.js';
import { loadMasterKey } from './adapters/store/crypto.js';
import { createStore, type KyselyStore } from './adapters/store/kysely-store.js';
import { defaultWorkingDayCalendar, type WorkingDayCalendar, type YearSchedule } from './core/calendar.js';
import { ManualClock, type Clock } from './core/clock.js';
import { loadPolicy } from './core/policy/index.js';
import type { Config } from './config.js';

/** The real clock, optionally shifted: the dev clock (REALNAME_DEV_CLOCK=1) moves it without freezing it. */
export class ShiftableClock extends ManualClock {
  #offset = 0;
  constructor() {
    super(Date.now());
  }
  override now(): number {
    return Date.now() + this.#offset;
  }
  override set(ms: number): void {
    this.#offset = ms - Date.now();
  }
  override advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance() takes a non-negative duration, got ${ms}`);
    this.#offset += ms;
    return this.now();
  }
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface Realname {
  config: Config;
  server: RealnameServer;
  store: KyselyStore;
  clock: Clock;
  /** The working-day calendar the decisions use (R-WIN-2); the backtest decides with it too. */
  calendar: WorkingDayCalendar;
  services: {
    accounts: ReturnType<typeof createAccountService>;
    capabilities: ReturnType<typeof createCapabilityService>;
    operations: ReturnType<typeof createOperationService>;
    admin: ReturnType<typeof createAdminService>;
    timers: ReturnType<typeof createTimerService>;
    saga: RevocationSaga;
    evidence: ReturnType<typeof createEvidenceService>;
    reviews: ReturnType<typeof createReviewService>;
    verifications: ReturnType<typeof createVerificationService>;
    /** Risk control (R-RISK-1/2/3): decisions, holds, shadow mode, recorded decisions. */
    risk: ReturnType<typeof createRiskService>;
    apps: ReturnType<typeof createAppsService>;
    /** The review console's dashboard: operations by kind and outcome, refusal codes over time. */
    stats: ReturnType<typeof createStatsService>;
  };
  /** Third-party notification (R-NOTIFY-1): its store, signing keys and outbox relays. */
  notify: {
    issuer: string;
    store: NotifyStore;
    keys: SigningKeys;
    push: PushRelay;
    /** Set when REALNAME_NATS_URL is. */
    nats: NatsRelay | null;
  };
  /** The in-process relay worker (push delivery, NATS), started with the timer worker. */
  relayWorker: RelayWorker | null;
  /** The SMS sender: the development verifier (codes logged, never sent) until a gateway adapter exists. */
  sms: DevSmsSender;
  /** The bank's reserved-information check: the development bank until a bank adapter exists (R-CHG-1). */
  bank: DevBank;
  /** The in-process timer worker, when started (`startWorker`). */
  worker: TimerWorker | null;
  startWorker(intervalMs?: number): TimerWorker;
  /** A stable secret derived from the master key for `label` (e.g. the demo key). */
  deriveSecret(label: string): string;
  close(): Promise<void>;
}

export interface CreateOptions {
  /** Inject a clock (tests pass a ManualClock; the dev clock then moves it). */
  clock?: ManualClock;
  /** The environment for secrets the config does not carry (REALNAME_MASTER_KEY). */
  env?: Readonly<Record<string, string | undefined>>;
  log?: Logger;
  /** Pino logger options for HTTP, or false (tests). */
  httpLogger?: false | Record<string, unknown>;
  /** PostgreSQL schema (tests run each suite in its own). */
  schema?: string;
  /**
   * Participants of the revocation saga (R-REV-3), replacing the default set (the six built-in
   * stores plus REALNAME_HTTP_PARTICIPANTS). Tests wrap them to inject failures.
   */
  participants?: (defaults: Participant[]) => Participant[];
  /** Saga retry pacing (tests shorten it). */
  sagaRetryBaseMs?: number;
  /**
   * Demo mode (`serve --demo`): the web pages offer a sign-in as a demo account or a demo reviewer
   * (`POST /v1/demo/sessions`). Never on a deployment: anyone who reaches the page can sign in.
   */
  demo?: boolean;
  /** The built web bundle (default: dist/web beside the sources, where `npm run build` writes it). */
  webRoot?: string;
}

function readPolicy(file: string | undefined): unknown {
  if (!file) return undefined;
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
}

/**
 * Build the whole service: store (migrated), policy, calendar, use cases and HTTP server.
 * @example const rn = await createRealname(loadConfig(process.env)); await rn.server.listen({ port: 3000 });
 */
export async function createRealname(config: Config, options: CreateOptions = {}): Promise<Realname> {
  const log: Logger = options.log ?? { info: (m) => console.log(m), warn: (m) => console.warn(m) };
  const env = options.env ?? {};
  const dataDir = config.REALNAME_DATA_DIR;

  const policy = loadPolicy(readPolicy(config.REALNAME_POLICY_FILE));
  // R-RISK-1 shadow mode: a candidate policy decided beside the live one, recorded, never enforced.
  const shadowPolicy = config.REALNAME_SHADOW_POLICY_FILE
    ? loadPolicy(readPolicy(config.REALNAME_SHADOW_POLICY_FILE))
    : null;
  const overrides = config.REALNAME_CALENDAR_FILE
    ? (JSON.parse(readFileSync(config.REALNAME_CALENDAR_FILE, 'utf8')) as YearSchedule[])
    : undefined;
  const calendar = defaultWorkingDayCalendar(overrides);

  const devClock = options.clock ?? (config.REALNAME_DEV_CLOCK ? new ShiftableClock() : null);
  /** The dev clock, and with it the dev SMS read-back, are on. */
  const devMode = devClock !== null && Boolean(config.REALNAME_DEV_CLOCK || options.clock);
  const clock: Clock = devClock ?? { now: () => Date.now() };

  const missing = calendar.missingCoverage(clock.now(), 60);
  if (missing.length > 0) {
    log.warn(
      `The working-day calendar has no official holiday data for ${missing.join(', ')} (the coming 60 days): ` +
        `appeal and review due dates will count weekends only. Add the State Council schedule with REALNAME_CALENDAR_FILE (see README › Calendar).`,
    );
  }

  const masterKey = loadMasterKey({
    env: { REALNAME_MASTER_KEY: config.REALNAME_MASTER_KEY ?? env.REALNAME_MASTER_KEY },
    dataDir,
    log,
  });
  const store = await createStore({
    ...(config.REALNAME_DATABASE_URL ? { url: config.REALNAME_DATABASE_URL } : {}),
    dataDir,
    masterKey,
    clock,
    log,
    ...(options.schema ? { schema: options.schema } : {}),
    poolSize: config.REALNAME_DB_POOL,
  });

  // Pairwise ids must be stable for the life of the deployment: derived from the master key unless set.
  const idSecret = config.REALNAME_ID_SECRET
    ? Buffer.from(config.REALNAME_ID_SECRET, 'utf8')
    : createHmac('sha256', masterKey.bytes()).update('realname/id-secret/v1').digest();

  const metrics = createMetrics();
  const deps: AppDeps = {
    store,
    clock,
    policy,
    calendar,
    idSecret,
    random: (n) => randomBytes(n),
    telemetry: metrics,
  };
  // No SMS gateway adapter yet: every code goes to the development verifier, which only logs it.
  const sms = createDevSmsSender(log, { clock });
  log.warn(
    'SMS codes are NOT sent: the development verifier only logs them (no SMS gateway is configured). ' +
      'Step-up codes (card unbind, deletion, revocation) reach users only through these logs.',
  );
  // No bank adapter yet: the development bank checks reserved information (R-CHG-1).
  const bank = createDevBank();
  const verifications = createVerificationService({ ...deps, sms, bank });

  // R-REV-3: the six built-in stores, then the external services configured over HTTP.
  const participantSecret =
    config.REALNAME_PARTICIPANT_SECRET ??
    createHmac('sha256', masterKey.bytes()).update('realname/participant-secret/v1').digest('base64url');
  const defaultParticipants: Participant[] = [
    ...builtinParticipants(store, clock),
    ...parseHttpParticipants(config.REALNAME_HTTP_PARTICIPANTS).map((p) =>
      httpParticipant({ ...p, secret: participantSecret }),
    ),
  ];
  const killAt = devMode ? config.REALNAME_FAULT_KILL_AT : undefined;
  const saga = createRevocationSaga(deps, {
    participants: options.participants ? options.participants(defaultParticipants) : defaultParticipants,
    leaseMs: config.REALNAME_SAGA_LEASE_MS,
    ...(options.sagaRetryBaseMs !== undefined ? { retryBaseMs: options.sagaRetryBaseMs } : {}),
    log,
    // Development only: a crash at a named point of the saga, to prove recovery (test/e2e/saga-crash).
    ...(killAt
      ? {
          at: (point: SagaPoint) => {
            if (point === killAt) process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  });
  deps.kicks = { revocation: (id) => saga.kick(id) };
  const risk = createRiskService({ ...deps, riskStore: createRiskStore({ store }), shadowPolicy });
  if (shadowPolicy)
    log.info(`Shadow mode: policy ${shadowPolicy.version} is decided beside the live one (never enforced).`);
  const services = {
    accounts: createAccountService(deps, risk),
    capabilities: createCapabilityService(deps),
    operations: createOperationService(deps, verifications, risk),
    admin: createAdminService(deps),
    timers: createTimerService(deps, saga),
    saga,
    evidence: createEvidenceService(deps),
    reviews: createReviewService(deps, risk),
    verifications,
    risk,
    stats: createStatsService({ clock, stats: createStatsStore({ store }) }),
  };

  // R-NOTIFY-1: apps, SET signing keys (one made at the first start), push delivery, NATS relay.
  const issuer = config.REALNAME_ISSUER ?? `http://localhost:${config.PORT}`;
  const notifyStore = createNotifyStore({ store, masterKey });
  const keys = createSigningKeys({
    store: notifyStore,
    clock,
    graceMs: config.REALNAME_SIGNING_KEY_GRACE_DAYS * 86_400_000,
  });
  await keys.ensure();
  const push = createPushRelay({
    store: notifyStore,
    keys,
    clock,
    issuer,
    backoff: {
      baseMs: config.REALNAME_PUSH_BACKOFF_BASE_MS,
      maxMs: config.REALNAME_PUSH_BACKOFF_MAX_MS,
      maxAttempts: config.REALNAME_PUSH_MAX_ATTEMPTS,
    },
    timeoutMs: config.REALNAME_PUSH_TIMEOUT_MS,
    registry: metrics.registry,
    log,
  });
  const nats = config.REALNAME_NATS_URL
    ? createNatsRelay({
        url: config.REALNAME_NATS_URL,
        stream: config.REALNAME_NATS_STREAM,
        subjectPrefix: config.REALNAME_NATS_SUBJECT,
        store: notifyStore,
        keys,
        issuer,
        log,
      })
    : null;
  const apps = createAppsService(deps, { store: notifyStore, keys });

  const server = await buildServer({
    logger: options.httpLogger === undefined ? { level: config.REALNAME_LOG_LEVEL } : options.httpLogger,
    store,
    clock,
    devClock: devMode ? devClock : null,
    metrics,
    rateLimit: { max: config.REALNAME_RATE_LIMIT, timeWindowMs: 60_000 },
    adminKey: config.REALNAME_ADMIN_KEY ?? null,
    version: '0.1.0',
  });
  accountRoutes(server, services.accounts);
  capabilityRoutes(server, services.capabilities);
  operationRoutes(server, services.operations);
  evidenceRoutes(server, services.evidence);
  reviewRoutes(server, services.reviews);
  riskRoutes(server, services.risk);
  adminRoutes(server, services.admin);
  verificationRoutes(server, services.verifications);
  // The codes the development verifier logged, readable in dev mode and in demo mode (the web page's
  // step-up shows them: no SMS gateway sends them anywhere).
  devSmsRoutes(server, devMode || options.demo ? sms : null);
  appRoutes(server, apps);
  statsRoutes(server, services.stats);
  const deriveSecret = (label: string) =>
    createHmac('sha256', masterKey.bytes())
      .update(`realname/derived/${label}`)
      .digest('base64url')
      .slice(0, 43);
  sessionRoutes(
    server,
    options.demo
      ? createDemoService(deps, {
          accounts: DEMO_ACCOUNTS.map((a) => ({ id: a.id, title: { en: a.title, 'zh-CN': a.titleZh } })),
          admin: services.admin,
          secretFor: deriveSecret,
        })
      : null,
  );
  // The self-service page at / and the review console at /admin (web/, built into dist/web).
  await webRoutes(server, {
    root: options.webRoot ?? fileURLToPath(new URL('../dist/web', import.meta.url)),
  });

  const realname: Realname = {
    config,
    server,
    store,
    clock,
    calendar,
    services: { ...services, apps },
    notify: { issuer, store: notifyStore, keys, push, nats },
    sms,
    bank,
    worker: null,
    relayWorker: null,
    startWorker(intervalMs = config.REALNAME_DEV_CLOCK ? 1_000 : 10_000) {
      realname.worker ??= startTimerWorker({ timers: services.timers, intervalMs, log });
      const relays: Relay[] = [{ name: 'push', runOnce: () => push.runOnce() }];
      if (nats) relays.push({ name: 'nats', runOnce: () => nats.runOnce(), close: () => nats.close() });
      realname.relayWorker ??= startRelayWorker({ relays, intervalMs, log });
      return realname.worker;
    },
    deriveSecret,
    async close() {
      await realname.worker?.stop();
      await realname.relayWorker?.stop();
      await nats?.close();
      await saga.drain();
      await server.close();
      await store.close();
    },
  };
  return realname;
}
