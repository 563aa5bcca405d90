/**
 * One-time codes for step-up (R-CARD-1, R-REV-2, …): request a code, verify it; the operation start
 * then names the challenge as its evidence. In development only (the dev clock is on), the codes the
 * development verifier "sent" can be read back, so the browser demo and the tests can type them.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VERIFICATION_PURPOSES, type VerificationService } from '../../../app/verifications.js';
import { DomainError } from '../../../core/errors/index.js';
import { accountAccess, requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { actorOf } from './actor.js';
import { DOCUMENT_TYPES } from '../../../core/document-number.js';
import { AccountIdParams, Id, Instant, LocalizedSchema, Phone } from './schemas.js';

export const VerificationRequestBody = z
  .strictObject({
    purpose: z.enum(VERIFICATION_PURPOSES).describe('The operation the code is for.'),
    cardId: Id.optional().describe(
      'card.unbind (required there) and appeal.submit: the code goes to that card’s reserved phone.',
    ),
    guardian: z
      .boolean()
      .optional()
      .describe(
        "A minor's guardian verifies (R-MIN-1): the code goes to the guardian's phone; cite it as guardian_face.",
      ),
    bankCheck: z
      .strictObject({
        cardNumber: z.string().regex(/^[0-9 ]{12,23}$/, 'digits (12–19), spaces allowed'),
        holderName: z.string().trim().min(1).max(100),
        documentType: z.enum(DOCUMENT_TYPES),
        documentNumber: z.string().min(1).max(40),
        reservedPhone: Phone,
      })
      .optional()
      .describe(
        'realname.change only (R-CHG-1): a card in the NEW subject’s name; the bank checks it and its code goes to the reserved phone. Cite the verified challenge as bank_reserved_info.',
      ),
  })
  .superRefine((body, ctx) => {
    if (body.purpose === 'card.unbind' && body.cardId === undefined)
      ctx.addIssue({ code: 'custom', message: 'required for card.unbind', path: ['cardId'] });
    if (body.purpose !== 'card.unbind' && body.purpose !== 'appeal.submit' && body.cardId !== undefined)
      ctx.addIssue({ code: 'custom', message: 'only for card.unbind and appeal.submit', path: ['cardId'] });
    if (
      body.bankCheck !== undefined &&
      body.purpose !== 'realname.change' &&
      body.purpose !== 'appeal.submit'
    )
      ctx.addIssue({
        code: 'custom',
        message: 'only for realname.change and appeal.submit',
        path: ['bankCheck'],
      });
  });

export const ChallengeSchema = z
  .object({
    challengeId: z
      .string()
      .describe('Send it back to verify, then as the evidence ref of the operation start.'),
    purpose: z.string().describe("e.g. 'card.unbind:card_1' or 'account.delete'"),
    channel: z.enum(['reserved_phone', 'bound_phone', 'guardian']),
    destinationMasked: z.string(),
    expiresAt: Instant,
  })
  .meta({ id: 'VerificationChallenge' });

const ChallengeParams = z.object({ accountId: Id, challengeId: Id });

/**
 * @example verificationRoutes(server, services.verifications);
 */
export function verificationRoutes(app: FastifyInstance, verifications: VerificationService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['verifications'];

  r.post(
    '/v1/accounts/:accountId/verifications',
    {
      schema: {
        tags,
        summary:
          'Send a one-time code: to the card’s reserved phone (card.unbind, R-CARD-1) or the bound phone',
        params: AccountIdParams,
        body: VerificationRequestBody,
        response: { 201: ChallengeSchema, ...problemResponses(400, 401, 403, 404, 409, 429, 502) },
      },
      preHandler: requireScope('operations:write'),
    },
    async (req, reply) => {
      accountAccess(req, req.params.accountId);
      try {
        const challenge = await verifications.request(req.params.accountId, req.body, actorOf(req));
        return await reply.code(201).send(challenge);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'VERIFICATION_RESEND_TOO_SOON')
          reply.header('retry-after', String(error.params.retryAfter));
        throw error;
      }
    },
  );

  r.post(
    '/v1/accounts/:accountId/verifications/:challengeId/verify',
    {
      schema: {
        tags,
        summary: 'Verify a one-time code (each failure is counted; too many lock the challenge)',
        params: ChallengeParams,
        body: z.strictObject({ code: z.string().regex(/^\d{6}$/, 'six digits') }),
        response: {
          200: z.object({ verified: z.literal(true) }),
          ...problemResponses(400, 401, 403, 404, 409, 410, 422, 423, 429),
        },
      },
      preHandler: requireScope('operations:write'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return verifications.verify(req.params.accountId, req.params.challengeId, req.body.code, actorOf(req));
    },
  );
}

/** What the dev route reads: the development verifier's memory (adapters/notify/sms.ts). */
export interface DevSmsOutbox {
  sent(accountId: string): {
    challengeId: string;
    purpose: string;
    to: string;
    code: string;
    text: { en: string; 'zh-CN': string };
    sentAt: number;
  }[];
}

export const DEV_SMS_PATH = '/v1/dev/sms/:accountId';

/**
 * `GET /v1/dev/sms/{accountId}`: the codes the development verifier kept for the account, newest
 * first — only when the dev clock is enabled (main.ts passes null otherwise, and the route answers
 * 404 DEV_CLOCK_DISABLED, like the dev clock's own); in demo mode (`serve --demo`) too, for the web page's
 * step-up. An end-user token reads its own account only.
 *
 * @example devSmsRoutes(server, devMode ? sms : null);
 */
export function devSmsRoutes(app: FastifyInstance, outbox: DevSmsOutbox | null): void {
  if (outbox === null) {
    app.get(DEV_SMS_PATH, { schema: { hide: true } }, () => {
      throw new DomainError('DEV_CLOCK_DISABLED');
    });
    return;
  }
  app.withTypeProvider<ZodTypeProvider>().get(
    DEV_SMS_PATH,
    {
      schema: {
        tags: ['dev'],
        summary:
          'Development or demo mode only: the SMS codes the development verifier logged for an account',
        params: AccountIdParams,
        response: {
          200: z.object({
            messages: z.array(
              z.object({
                challengeId: z.string(),
                purpose: z.string(),
                to: z.string(),
                code: z.string(),
                text: LocalizedSchema,
                sentAt: Instant,
              }),
            ),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
      preHandler: requireScope('operations:read'),
    },
    (req) => {
      accountAccess(req, req.params.accountId);
      return { messages: outbox.sent(req.params.accountId) };
    },
  );
}
