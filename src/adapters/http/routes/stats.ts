/**
 * `GET /v1/admin/stats`: the review console's dashboard — operations by kind and outcome, starts and
 * refusals per kind, the most frequent refusal codes and their counts day by day (R-UX-1: the cause
 * users meet most, as they were told it). Counts only, no personal data; for reviewers and admins.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_DASHBOARD_DAYS, type StatsService } from '../../../app/stats.js';
import { requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { Instant, LocalizedSchema } from './schemas.js';

const DashboardSchema = z
  .object({
    from: Instant.describe('start of the first Asia/Shanghai day of the window'),
    to: Instant,
    days: z.number().int(),
    operations: z.array(
      z.object({
        kind: z.string(),
        outcome: z.string().describe('the terminal outcome, or `running`'),
        count: z.number().int(),
      }),
    ),
    attempts: z.array(
      z.object({
        kind: z.string(),
        started: z.number().int(),
        refused: z.number().int(),
        successRate: z.number().nullable().describe('started / (started + refused)'),
      }),
    ),
    refusals: z.number().int().describe('refused starts in the window'),
    topCodes: z.array(
      z.object({
        code: z.string(),
        rule: z.string().nullable(),
        count: z.number().int().describe('refusals that carried the code (once per refusal)'),
        share: z.number().describe('count / refusals'),
        remediation: LocalizedSchema.nullable().describe('what the user was told to do'),
      }),
    ),
    byDay: z.array(
      z.object({
        day: z.string().describe('YYYY-MM-DD, Asia/Shanghai'),
        refusals: z.number().int(),
        codes: z.record(z.string(), z.number().int()).describe('the top codes’ counts that day'),
      }),
    ),
  })
  .meta({ id: 'Dashboard' });

/** @example statsRoutes(server, services.stats); */
export function statsRoutes(app: FastifyInstance, stats: StatsService): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/admin/stats',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Dashboard: operations by kind and outcome, refusals per kind, the most frequent refusal codes over time',
        querystring: z.strictObject({
          days: z.coerce.number().int().min(1).max(MAX_DASHBOARD_DAYS).default(30),
        }),
        response: { 200: DashboardSchema, ...problemResponses(400, 401, 403, 429) },
      },
      preHandler: requireScope('reviews:write'),
    },
    async (req) => stats.dashboard({ days: req.query.days }),
  );
}
