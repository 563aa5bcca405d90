/** Detaching an enterprise link (企业微信): R-ENT-*. */
import { blocker, consequence } from '../errors/index.js';
import type { EnterpriseLink, OperationRequest } from '../model.js';
import { accountStateRule, evidence, minorNightRule, openOperationRule } from './common.js';
import type { EvidenceRequirement, OperationSpec, Rule, RuleInput } from './types.js';

type Req = Extract<OperationRequest, { kind: 'enterprise.detach' }>;

function link(input: RuleInput<Req>): EnterpriseLink | undefined {
  return input.facts.enterpriseLinks.find((l) => l.id === input.request.linkId && l.active);
}

const linkExistsRule: Rule<Req> = {
  id: 'R-ENT-4',
  describe: 'The link must be active on this account',
  check(input, out) {
    if (!link(input)) out.push(blocker('ENTERPRISE_LINK_NOT_FOUND', { linkId: input.request.linkId }));
  },
};

/** R-ENT-4: the enterprise admin role is released first. */
const adminRoleRule: Rule<Req> = {
  id: 'R-ENT-4',
  describe: 'Enterprise admin role released first',
  check(input, out) {
    const l = link(input);
    if (l?.adminRole)
      out.push(blocker('ENTERPRISE_ADMIN_ROLE_HELD', { linkId: l.id, enterprise: l.enterprise }));
  },
};

const PROOF: Record<EnterpriseLink['kind'], () => EvidenceRequirement> = {
  attendance: () => evidence('resignation_certificate', 'R-ENT-1'),
  customer_contact: () => evidence('customer_data_migrated', 'R-ENT-2'),
  enterprise_payment: () => evidence('finance_reconciliation', 'R-ENT-3'),
};

export const enterpriseDetach: OperationSpec<Req> = {
  kind: 'enterprise.detach',
  reads: ['enterprise_links'],
  rules: [
    accountStateRule,
    openOperationRule('enterprise.detach'),
    minorNightRule,
    linkExistsRule,
    adminRoleRule,
  ],
  warnings: () => [],
  consequences(input) {
    const l = link(input);
    if (!l) return [];
    const p = { enterprise: l.enterprise };
    const out = [
      l.kind === 'attendance'
        ? consequence('CONSEQ_JOB_RECORD_KEPT', 'data', false, p)
        : l.kind === 'customer_contact'
          ? consequence('CONSEQ_CONTACT_RECORDS_CLEARED', 'data', false, p)
          : consequence('CONSEQ_WITHHOLDING_TERMINATED', 'subscription', false, p),
      consequence('CONSEQ_ENTERPRISE_API_REVOKED', 'function', false, p),
    ];
    if (l.pendingApprovals > 0) {
      out.push(consequence('CONSEQ_APPROVALS_VOIDED', 'data', false, { ...p, count: l.pendingApprovals }));
    }
    return out;
  },
  evidence(input) {
    const l = link(input);
    const out = l ? [PROOF[l.kind]()] : [];
    if (input.facts.account.minor) out.push(evidence('guardian_face', 'R-MIN-1'));
    return out;
  },
  stepUp: ({ facts }) => ({
    method: 'sms',
    channel: 'bound_phone',
    guardianFace: facts.account.minor,
    rule: 'R-ENT-4',
  }),
};
