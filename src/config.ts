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
  REALNAME_CALENDAR_FILE: z.string().min(1).optional(),
  REALNAME_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REALNAME_RATE_LIMIT: z.coerce.number().int().min(1).default(1200),
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
  return Object.freeze(r.data);
}
