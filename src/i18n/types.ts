import type { BlockerCode, Code } from '../core/errors/catalogue.js';

/**
 * A message template. Placeholders are `{name}` for a plain value, `{name:money}` for an amount in
 * ten-thousandths of a yuan, `{name:date}` for an instant shown in Asia/Shanghai, and `{name:term}`
 * for an enumerated value translated through the `terms` table.
 */
export type Template = string;

/** Blockers must say how to fix them; other codes may. */
export type MessageEntry<C extends Code> = C extends BlockerCode
  ? { message: Template; remediation: Template }
  : { message: Template; remediation?: Template };

export type Messages = { [C in Code]: MessageEntry<C> };

/** Translations of enumerated values that appear in params (card types, link kinds, …). */
export interface Terms {
  [value: string]: string;
}

export interface Catalogue {
  messages: Messages;
  terms: Terms;
}

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
