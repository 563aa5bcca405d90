/**
 * `GET /v1/accounts/{id}/capabilities`: what the platform must enforce for the account — the effects
 * of a revocation (R-REV-5), a minor's (R-MIN-3, R-MIN-5), the region's (R-REG-3) — each with its rule,
 * since when and until when it holds and what lifts it (R-REV-7), and the merchant-records warning
 * (R-REV-6). The same read as an account (scope `facts:read`; an end-user token, its own account).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CapabilityService } from '../../../app/capabilities.js';
import { CAPABILITY_CODES } from '../../../core/capabilities.js';
import { IDENTITY_STATUSES, REGIONS } from '../../../core/model.js';
import { accountAccess, requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { AccountIdParams, Instant, LocalizedSchema, WarningSchema } from './schemas.js';

const Value = z.union([z.number(), z.boolean(), z.string(), z.null()]);
const ParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const CapabilitySchema = z
  .object({
    code: z.enum(CAPABILITY_CODES),
    rule: z.string().describe('The SPEC rule that restricts it, e.g. R-REV-5'),
    restricted: z.boolean().describe('Whether `value` differs from `default` now'),
    value: Value.describe(
      'What to enforce now: daily_receive_limit an amount per Asia/Shanghai day (ten-thousandths of a yuan); moments_per_day posts a day (null: no limit); mini_program_qualification how many must be requalified; api_quota_tier the tier; login_extra_sms whether login needs an extra code; the others whether they are allowed',
    ),
    default: Value.describe('The value without any restriction'),
    since: Instant.nullable(),
    until: Instant.nullable().describe('When it ends by itself; null: when an event of `liftedBy` happens'),
    liftedBy: z.array(
      z.enum(['R-REV-7 restoration', 'real-name verified again', 'revocation ended', 'time']),
    ),
    liftedAt: Instant.nullable().describe('When the R-REV-7 restoration lifted it, for this revocation'),
    consequence: z
      .object({ code: z.string(), params: ParamsSchema, message: LocalizedSchema })
      .nullable()
      .describe('The consequence the revocation preflight announced (R-UX-3)'),
  })
  .meta({ id: 'Capability' });

export const CapabilitiesSchema = z
  .object({
    accountId: z.string(),
    region: z.enum(REGIONS),
    realnameStatus: z.enum(IDENTITY_STATUSES),
    revokedAt: Instant.nullable().describe('The revocation whose effects apply, if any'),
    capabilities: z.array(CapabilitySchema),
    restoration: z.object({
      rule: z.literal('R-REV-7'),
      status: z.enum(['not_applicable', 'pending', 'restored']),
      cardBound: z.boolean(),
      verifiedTransactions: z.number().int(),
      required: z.number().int(),
      restoredAt: Instant.nullable(),
    }),
    merchantRecordsRetained: WarningSchema.nullable().describe(
      'R-REV-6: the merchant account keeps its historical real-name records',
    ),
    receiving: z.object({
      receivedToday: z.number().int(),
      remainingToday: z.number().int(),
      resetsAt: Instant,
    }),
    policyVersion: z.string(),
    evaluatedAt: Instant,
  })
  .meta({ id: 'Capabilities' });

export function capabilityRoutes(app: FastifyInstance, capabilities: CapabilityService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/accounts/:accountId/capabilities',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'What the platform must enforce: receive limit, withdrawal pause, payments, transfers, social and developer limits — each with its rule and end',
        params: AccountIdParams,
        response: { 200: CapabilitiesSchema, ...problemResponses(400, 401, 403, 404, 429) },
      },
      preHandler: requireScope('facts:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return capabilities.get(req.params.accountId);
    },
  );
}
