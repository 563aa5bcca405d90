/**
 * Evidence files (R-CHG-1, R-MIN-3, R-ABN-2): an upload is checked — the content type allowed for its
 * kind, the bytes really of that type (magic numbers, not the declared header), its size within the
 * kind's limit, a harmless file name — then sealed under the account's data key by the store. An
 * operation's start names its evidence by reference; for an uploadable kind the reference must be the
 * id of an uploaded item of that account and kind.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../core/errors/index.js';
import { newId } from '../core/ids.js';
import type { EvidenceKind } from '../core/preflight.js';
import type { EvidenceMeta, Store } from '../core/ports.js';
import type { Actor, AppDeps } from './deps.js';

export const EVIDENCE_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'video/mp4',
  'application/pdf',
  'text/plain',
] as const;
export type EvidenceContentType = (typeof EVIDENCE_CONTENT_TYPES)[number];

/**
 * Kinds that are proven by a verification (a code, a face check, bank data), not by a file: their
 * reference stays free-form until the Verifier port checks it.
 */
export const VERIFICATION_EVIDENCE_KINDS = [
  'sms_code',
  'phone_code',
  'reserved_phone_code',
  'bank_reserved_info',
  'aux_verification',
  'guardian_face',
] as const satisfies readonly EvidenceKind[];
export type VerificationEvidenceKind = (typeof VERIFICATION_EVIDENCE_KINDS)[number];
export type UploadableEvidenceKind = Exclude<EvidenceKind, VerificationEvidenceKind>;

export interface EvidenceLimit {
  types: readonly EvidenceContentType[];
  maxBytes: number;
  /** The SPEC rule that asks for this kind. */
  rule: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const IMAGES = ['image/jpeg', 'image/png'] as const;
const DOCUMENT = [...IMAGES, 'application/pdf'] as const;
const VIDEO = ['video/mp4'] as const;
const IMAGE_MAX = 5 * MiB;
const VIDEO_MAX = 20 * MiB;

/**
 * The one table of what each uploadable kind accepts: documents and certificates are images or PDF,
 * photos are images, the videos are MP4, a statement is plain text. The record type makes the compiler
 * refuse a new evidence kind until it is classified here or as a verification.
 */
export const EVIDENCE_LIMITS: Readonly<Record<UploadableEvidenceKind, EvidenceLimit>> = {
  document_front: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-CHG-1' },
  document_back: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-CHG-1' },
  liveness_video: { types: VIDEO, maxBytes: VIDEO_MAX, rule: 'R-CHG-1' },
  guardianship_proof: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-MIN-2' },
  notarised_guardianship: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-MIN-4' },
  guardian_handheld_id_video: { types: VIDEO, maxBytes: VIDEO_MAX, rule: 'R-MIN-3' },
  household_register_proof: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-MIN-3' },
  school_enrolment_certificate: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-MIN-3' },
  resignation_certificate: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-ENT-1' },
  customer_data_migrated: { types: [...DOCUMENT, 'text/plain'], maxBytes: IMAGE_MAX, rule: 'R-ENT-2' },
  finance_reconciliation: { types: DOCUMENT, maxBytes: IMAGE_MAX, rule: 'R-ENT-3' },
  handheld_id_photo: { types: IMAGES, maxBytes: IMAGE_MAX, rule: 'R-ABN-2' },
  statement: { types: ['text/plain'], maxBytes: 64 * KiB, rule: 'R-ABN-2' },
};

/** The largest file any kind accepts (the HTTP route sizes its body limit from it). */
export const EVIDENCE_MAX_BYTES = Math.max(...Object.values(EVIDENCE_LIMITS).map((l) => l.maxBytes));

/**
 * Whether a kind is uploaded as a file (its references must name an uploaded item).
 * @example isUploadable('statement') // true; isUploadable('sms_code') // false
 */
export function isUploadable(kind: EvidenceKind): kind is UploadableEvidenceKind {
  return Object.hasOwn(EVIDENCE_LIMITS, kind);
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** C0 control characters and DEL, except tab, line feed and carriage return (allowed in text). */
function hasControl(text: string, allowed: readonly number[] = []): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 || c === 0x7f) && !allowed.includes(c)) return true;
  }
  return false;
}

/**
 * Whether the bytes are of the declared type, by their magic numbers (never by the declared header).
 * @example sniffMatches('image/png', bytes) // true for a PNG, false for a JPEG declared as PNG
 */
export function sniffMatches(type: EvidenceContentType, bytes: Uint8Array): boolean {
  switch (type) {
    case 'image/jpeg':
      return startsWith(bytes, [0xff, 0xd8, 0xff]);
    case 'image/png':
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'application/pdf':
      return startsWith(bytes, ascii('%PDF-'));
    case 'video/mp4':
      // ISO base media: a box size (4 bytes), then the 'ftyp' box type.
      return startsWith(bytes, ascii('ftyp'), 4);
    case 'text/plain': {
      if (bytes.length === 0) return false;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return false;
      }
      // Valid UTF-8 without control characters but tab, LF, CR: binary declared as text fails here.
      return !hasControl(text, [0x09, 0x0a, 0x0d]);
    }
  }
}

const NAME_MAX_BYTES = 255;
// Path separators and ':' (drive letters, NTFS streams); NUL and other control characters apart.
const NAME_SEPARATORS = /[/\\:]/u;

/** Why a file name is refused (a term of the i18n catalogues). */
export type NameProblem = 'name_empty' | 'name_too_long' | 'name_forbidden_character' | 'name_traversal';

/**
 * Why a file name is refused, or null when it is harmless: a plain name of at most 255 bytes, no path
 * separator, no NUL or control character, no `..`.
 * @example nameProblem('../../etc/passwd') // 'name_forbidden_character'
 */
export function nameProblem(name: string): NameProblem | null {
  if (name.trim() === '' || name === '.') return 'name_empty';
  if (Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) return 'name_too_long';
  if (NAME_SEPARATORS.test(name) || hasControl(name)) return 'name_forbidden_character';
  if (name.includes('..')) return 'name_traversal';
  return null;
}

export interface EvidenceUpload {
  kind: EvidenceKind;
  /** As declared by the uploader; refused unless allowed for the kind (EVIDENCE_TYPE_NOT_ALLOWED). */
  contentType: string;
  name?: string | null;
  data: Uint8Array;
}

/** An evidence reference as an operation's start carries it. */
export interface EvidenceReference {
  kind: EvidenceKind;
  ref: string;
}

/**
 * Refuse a start whose references to uploadable evidence do not name an item of this account and kind
 * (EVIDENCE_NOT_FOUND naming the first such reference and how many there are). Verification kinds keep
 * free-form references. Called inside the start's transaction, so it reads what that transaction sees.
 *
 * @example await assertEvidenceRefs(store, 'acc_1', [{ kind: 'statement', ref: 'ev_…' }])
 */
export async function assertEvidenceRefs(
  store: Pick<Store, 'evidence'>,
  accountId: string,
  refs: readonly EvidenceReference[],
): Promise<void> {
  const uploads = refs.filter((r) => isUploadable(r.kind));
  if (uploads.length === 0) return;
  const found = new Map(
    (await store.evidence(accountId, [...new Set(uploads.map((r) => r.ref))])).map((e) => [e.id, e]),
  );
  const unknown = uploads.filter((r) => found.get(r.ref)?.kind !== r.kind);
  const first = unknown[0];
  if (first) {
    throw new DomainError('EVIDENCE_NOT_FOUND', {
      ref: first.ref,
      kind: first.kind,
      unknown: unknown.length,
    });
  }
}

export function createEvidenceService(deps: AppDeps) {
  const { store, clock } = deps;

  return {
    /**
     * Check and store one evidence file; returns its metadata (never the content).
     * @example await evidence.upload('acc_1', { kind: 'statement', contentType: 'text/plain', data }, actor)
     */
    async upload(accountId: string, input: EvidenceUpload, actor: Actor): Promise<EvidenceMeta> {
      const { kind, contentType, data } = input;
      if (!isUploadable(kind))
        throw new DomainError('VALIDATION_FAILED', {
          detail: `evidence of kind ${kind} is a verification, not a file: reference it when the operation starts`,
        });
      const name = input.name ?? null;
      if (name !== null) {
        const problem = nameProblem(name);
        if (problem !== null) throw new DomainError('EVIDENCE_NAME_INVALID', { problem });
      }
      const limit = EVIDENCE_LIMITS[kind];
      const allowed = limit.types.find((t) => t === contentType);
      if (allowed === undefined)
        throw new DomainError('EVIDENCE_TYPE_NOT_ALLOWED', {
          kind,
          contentType,
          allowed: limit.types.join(', '),
        });
      if (data.length > limit.maxBytes)
        throw new DomainError('EVIDENCE_TOO_LARGE', { kind, size: data.length, limit: limit.maxBytes });
      if (!sniffMatches(allowed, data)) throw new DomainError('EVIDENCE_CONTENT_MISMATCH', { contentType });

      const meta: EvidenceMeta = {
        id: newId('ev', deps.random),
        accountId,
        kind,
        contentType,
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        createdAt: clock.now(),
      };
      await store.withAccount(accountId, async (tx) => {
        const account = await store.account(accountId);
        if (account?.status === 'deleted')
          throw new DomainError('CONFLICT', { detail: 'the account is deleted' });
        await tx.putEvidence({
          id: meta.id,
          kind,
          contentType,
          size: meta.size,
          sha256: meta.sha256,
          createdAt: meta.createdAt,
          name,
          data,
        });
        await tx.audit({
          at: meta.createdAt,
          actor: actor.id,
          action: 'evidence.uploaded',
          data: { evidenceId: meta.id, kind, contentType, size: meta.size, rule: limit.rule },
        });
      });
      return meta;
    },

    /** Metadata of every evidence file of an account, oldest first. */
    async list(accountId: string): Promise<EvidenceMeta[]> {
      if (!(await store.account(accountId))) throw new DomainError('ACCOUNT_NOT_FOUND');
      return store.evidence(accountId);
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
