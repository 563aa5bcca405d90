/**
 * How each evidence kind is provided, for clients that collect it (the self-service page): a
 * one-time code (where it is sent), a file (which types, how large), or a statement typed as text.
 * Read from the tables that enforce it (EVIDENCE_LIMITS, CODE_EVIDENCE_CHANNEL), so a client never
 * keeps its own copy.
 */
import { EVIDENCE_KINDS, type EvidenceKind } from '../core/preflight.js';
import { EVIDENCE_LIMITS, isUploadable } from './evidence.js';
import { CODE_EVIDENCE_CHANNEL } from './verifications.js';

export interface EvidenceKindInfo {
  kind: EvidenceKind;
  /** `code`: request a code, verify it, cite the challenge; `file`: upload; `text`: upload typed text. */
  provide: 'code' | 'file' | 'text';
  /** For a code: where it goes (`guardian`: the guardian's phone, standing in for the face check). */
  channel: 'reserved_phone' | 'bound_phone' | 'guardian' | null;
  contentTypes: string[];
  maxBytes: number | null;
  rule: string | null;
}

/** @example evidenceKinds().find((k) => k.kind === 'statement') // { provide: 'text', contentTypes: ['text/plain'], … } */
export function evidenceKinds(): EvidenceKindInfo[] {
  return EVIDENCE_KINDS.map((kind) => {
    if (isUploadable(kind)) {
      const l = EVIDENCE_LIMITS[kind];
      const textOnly = l.types.length === 1 && l.types[0] === 'text/plain';
      return {
        kind,
        provide: textOnly ? 'text' : 'file',
        channel: null,
        contentTypes: [...l.types],
        maxBytes: l.maxBytes,
        rule: l.rule,
      };
    }
    return {
      kind,
      provide: 'code',
      channel: CODE_EVIDENCE_CHANNEL[kind] ?? null,
      contentTypes: [],
      maxBytes: null,
      rule: null,
    };
  });
}
