/**
 * What the operation panel is set to: the operations the page offers, each with the segment of its
 * preflight and start routes, and the card or enterprise link one of them acts on. The panel, the
 * evidence slots and the sections that open the panel all read these types from here.
 */
export const OP_SEGMENTS = {
  'account.delete': 'deletion',
  'card.unbind': 'card-unbind',
  'realname.change': 'realname-change',
  'realname.revoke': 'realname-revoke',
  'enterprise.detach': 'enterprise-detach',
  'appeal.submit': 'appeal',
  'payment.restore': 'payment-restore',
  'data.export': 'data-export',
} as const;
export type OpKind = keyof typeof OP_SEGMENTS;

export interface Selection {
  kind: OpKind;
  cardId?: string | undefined;
  linkId?: string | undefined;
}
