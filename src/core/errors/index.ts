import {
  CATALOGUE,
  type BlockerCode,
  type Code,
  type ConsequenceCode,
  type ErrorCode,
  type WarningCode,
} from './catalogue.js';
import { localized, localizedRemediation, message, type Localized, type Params } from './render.js';

export * from './catalogue.js';
export * from './render.js';

/** One reason an operation cannot run now, with its fix (R-UX-1). */
export interface Blocker {
  code: BlockerCode;
  rule: string;
  params: Params;
  message: Localized;
  remediation: { action: string; where: string; message: Localized };
}

export interface Warning {
  code: WarningCode;
  rule: string;
  params: Params;
  message: Localized;
  remediation?: Localized;
}

export type ConsequenceCategory = 'limit' | 'subscription' | 'notification' | 'data' | 'function' | 'time';

/** What the operation would change for this account, shown before the user commits (R-UX-3). */
export interface Consequence {
  code: ConsequenceCode;
  rule: string;
  category: ConsequenceCategory;
  reversible: boolean;
  params: Params;
  message: Localized;
}

/** Build a blocker from the catalogue: the rule id, remediation and both messages come with the code. */
export function blocker(code: BlockerCode, params: Params = {}): Blocker {
  const info = CATALOGUE[code];
  return {
    code,
    rule: info.rule,
    params,
    message: localized(code, params),
    remediation: {
      action: info.action,
      where: info.where,
      message: localizedRemediation(code, params) as Localized,
    },
  };
}

export function warning(code: WarningCode, params: Params = {}): Warning {
  const remediation = localizedRemediation(code, params);
  const w: Warning = { code, rule: CATALOGUE[code].rule, params, message: localized(code, params) };
  if (remediation) w.remediation = remediation;
  return w;
}

export function consequence(
  code: ConsequenceCode,
  category: ConsequenceCategory,
  reversible: boolean,
  params: Params = {},
): Consequence {
  return { code, rule: CATALOGUE[code].rule, category, reversible, params, message: localized(code, params) };
}

/**
 * The one error type the core and the app layer throw. Its message is English, for logs; the HTTP
 * layer renders the body in the client's language from `code` and `params`.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly params: Params;
  readonly blockers: readonly Blocker[] | undefined;
  readonly status: number;

  constructor(code: ErrorCode, params: Params = {}, blockers?: readonly Blocker[]) {
    super(message('en', code, params));
    this.name = 'DomainError';
    this.code = code;
    this.params = params;
    this.blockers = blockers;
    this.status = CATALOGUE[code].status;
  }
}

export function isCode(value: string): value is Code {
  return Object.hasOwn(CATALOGUE, value);
}
