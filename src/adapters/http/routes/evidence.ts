/**
 * Evidence files (R-CHG-1, R-MIN-3, R-ABN-2): upload as JSON with the bytes in base64, list the
 * metadata. The content never leaves through these routes; reviewers open it through the review
 * queue (routes/reviews.ts), audited.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  EVIDENCE_CONTENT_TYPES,
  EVIDENCE_LIMITS,
  EVIDENCE_MAX_BYTES,
  type EvidenceService,
} from '../../../app/evidence.js';
import type { EvidenceMeta } from '../../../core/ports.js';
import { EVIDENCE_KINDS } from '../../../core/preflight.js';
import { accountAccess, requireScope } from '../auth.js';
import { FieldValidationError, problemResponses } from '../errors.js';
import { actorOf } from './actor.js';
import { AccountIdParams, Instant } from './schemas.js';

/** Base64 characters of the largest file any kind accepts (4 for every 3 bytes, padded). */
const MAX_BASE64 = Math.ceil(EVIDENCE_MAX_BYTES / 3) * 4;

/**
 * The body limit of the upload route only (the server's is 1 MiB): the base64 of the largest file,
 * plus room for the JSON around it. Larger bodies are refused by Fastify before they are parsed.
 */
export const EVIDENCE_BODY_LIMIT = MAX_BASE64 + 64 * 1024;

const limitsText = Object.entries(EVIDENCE_LIMITS)
  .map(([kind, l]) => `${kind}: ${l.types.join('/')} ≤ ${l.maxBytes} bytes`)
  .join('; ');

export const EvidenceMetaSchema = z
  .object({
    id: z.string(),
    kind: z.enum(EVIDENCE_KINDS),
    contentType: z.string(),
    size: z.number().int().describe('bytes of the clear content'),
    sha256: z.string().describe('sha256 of the clear content, hex'),
    createdAt: Instant,
  })
  .meta({ id: 'EvidenceMeta' });

export const UploadEvidenceBody = z.strictObject({
  kind: z
    .enum(EVIDENCE_KINDS)
    .describe('An uploadable kind (documents, videos, certificates, proofs, photo, statement).'),
  contentType: z
    .string()
    .min(1)
    .max(100)
    .describe(`One of ${EVIDENCE_CONTENT_TYPES.join(', ')}, as allowed for the kind: ${limitsText}.`),
  name: z
    .string()
    .max(1024)
    .optional()
    .describe('The file name (no path: separators, "..", ":" and control characters are refused).'),
  data: z
    .string()
    .min(1)
    .max(MAX_BASE64)
    .describe('The file, base64 (RFC 4648 §4, padded). Its bytes must be of the declared type.'),
});

/** Every error answer is problem+json (RFC 9457), declared once for the docs. */
const problems = problemResponses(400, 401, 403, 404, 409, 413, 415, 429);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: a malformed string is a 400 naming the field, never silently truncated bytes. */
function decodeBase64(data: string): Buffer {
  if (data.length % 4 !== 0 || !BASE64.test(data))
    throw new FieldValidationError([
      { path: 'body.data', message: 'is not base64 (RFC 4648 §4 alphabet, padded to a multiple of 4)' },
    ]);
  return Buffer.from(data, 'base64');
}

/** The response shape: metadata only, never the content or the file name. */
export const evidenceView = (e: EvidenceMeta) => ({
  id: e.id,
  kind: e.kind,
  contentType: e.contentType,
  size: e.size,
  sha256: e.sha256,
  createdAt: e.createdAt,
});

export function evidenceRoutes(app: FastifyInstance, evidence: EvidenceService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['evidence'];

  r.post(
    '/v1/accounts/:accountId/evidence',
    {
      bodyLimit: EVIDENCE_BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Upload an evidence file (sealed under the account’s key); returns its id to reference when an operation starts',
        params: AccountIdParams,
        body: UploadEvidenceBody,
        response: { 201: EvidenceMetaSchema, ...problems },
      },
      preHandler: requireScope('operations:write'),
    },
    async (req, reply) => {
      accountAccess(req, req.params.accountId);
      const b = req.body;
      const meta = await evidence.upload(
        req.params.accountId,
        { kind: b.kind, contentType: b.contentType, name: b.name ?? null, data: decodeBase64(b.data) },
        actorOf(req),
      );
      return reply.code(201).send(evidenceView(meta));
    },
  );

  r.get(
    '/v1/accounts/:accountId/evidence',
    {
      schema: {
        tags,
        summary: 'List the evidence files of an account (metadata only)',
        params: AccountIdParams,
        response: { 200: z.array(EvidenceMetaSchema), ...problems },
      },
      preHandler: requireScope('operations:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return (await evidence.list(req.params.accountId)).map(evidenceView);
    },
  );
}
