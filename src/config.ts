/**
 * Configuration: read from the environment once, validated against a closed schema, then frozen
 * (ARCHITECTURE.md habit 8). Nothing else reads process.env.
 */
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const ConfigSchema = z.strictObject({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REALNAME_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for the embedded SQLite store)')
    .optional(),
  REALNAME_DATA_DIR: z.string().min(1).default('./data'),
  /** PostgreSQL connections per process: each open account transaction holds one. */
  REALNAME_DB_POOL: z.coerce.number().int().min(1).max(500).default(20),
  REALNAME_MASTER_KEY: z.string().min(1).optional(),
  REALNAME_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  REALNAME_ID_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  REALNAME_DEV_CLOCK: bool.default(false),
  REALNAME_POLICY_FILE: z.string().min(1).optional(),
  /** R-RISK-1 shadow mode: a candidate policy decided beside the live one on every decision, never enforced. */
  REALNAME_SHADOW_POLICY_FILE: z.string().min(1).optional(),
  REALNAME_CALENDAR_FILE: z.string().min(1).optional(),
  REALNAME_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REALNAME_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
  // ── Third-party notification (R-NOTIFY-1): SETs, push delivery, the optional NATS relay
  /** The SETs' `iss` (and `iss_sub` subjects); default `http://localhost:<PORT>`. */
  REALNAME_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  /** Retry pacing of SET push delivery: first delay, longest delay, attempts before a dead letter, POST timeout. */
  REALNAME_PUSH_BACKOFF_BASE_MS: z.coerce.number().int().min(100).default(10_000),
  REALNAME_PUSH_BACKOFF_MAX_MS: z.coerce.number().int().min(1_000).default(21_600_000),
  REALNAME_PUSH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  REALNAME_PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How long a rotated-out signing key stays in the JWKS (retries signed with it still verify). */
  REALNAME_SIGNING_KEY_GRACE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** NATS JetStream relay of the outbox (unset: off), its stream and subject prefix. */
  REALNAME_NATS_URL: z
    .string()
    .regex(
      /^(nats|tls):\/\/[^,\s]+(,(nats|tls):\/\/[^,\s]+)*$/,
      'must be nats://host:port (comma-separated for several)',
    )
    .optional(),
  REALNAME_NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only')
    .default('REALNAME'),
  REALNAME_NATS_SUBJECT: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
      'NATS subject tokens (letters, digits, _ and -) joined by dots',
    )
    .default('realname'),
  /** External participants of the revocation saga (R-REV-3): `name=url` pairs, comma-separated. */
  REALNAME_HTTP_PARTICIPANTS: z.string().optional(),
  /** Secret signing the requests to external participants (default: derived from the master key). */
  REALNAME_PARTICIPANT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How long a saga run owns a revocation before another worker resumes it (R-REV-3). */
  REALNAME_SAGA_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /**
   * Development only (with REALNAME_DEV_CLOCK=1): kill the process with SIGKILL when a revocation
   * saga reaches this point (e.g. `saga:decided`, `saga:prepared:payment`), to test crash recovery.
   */
  REALNAME_FAULT_KILL_AT: z
    .string()
    .regex(/^saga:[a-z_:]+$/)
    .optional(),
});

export type Config = Readonly<z.output<typeof ConfigSchema>>;

/** The variables the service knows; anything else starting with REALNAME_ is a typo and refused. */
const KNOWN = new Set(Object.keys(ConfigSchema.shape));

/**
 * Validate the environment. A bad value or an unknown REALNAME_* variable is refused with its name
 * and the reason; the dev clock is refused in production.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (KNOWN.has(k)) picked[k] = v;
    else if (k.startsWith('REALNAME_') && !k.startsWith('REALNAME_TEST_')) unknown.push(k);
  }
  if (unknown.length)
    throw new Error(
      `Unknown configuration variable(s): ${unknown.join(', ')}. Known: ${[...KNOWN].join(', ')}`,
    );
  const r = ConfigSchema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (r.data.REALNAME_DEV_CLOCK && r.data.NODE_ENV === 'production') {
    throw new Error(
      'REALNAME_DEV_CLOCK=1 is refused when NODE_ENV=production: the dev clock moves time for every user.',
    );
  }
  if (r.data.REALNAME_FAULT_KILL_AT && !r.data.REALNAME_DEV_CLOCK) {
    throw new Error(
      'REALNAME_FAULT_KILL_AT is a test aid and needs REALNAME_DEV_CLOCK=1 (never in production).',
    );
  }
  if (r.data.REALNAME_PUSH_BACKOFF_BASE_MS > r.data.REALNAME_PUSH_BACKOFF_MAX_MS) {
    throw new Error('REALNAME_PUSH_BACKOFF_BASE_MS must not exceed REALNAME_PUSH_BACKOFF_MAX_MS.');
  }
  return Object.freeze(r.data);
}
