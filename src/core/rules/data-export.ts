/** Data export before deleting or revoking: R-EXP-1, R-REG-2/3. */
import { blocker, consequence } from '../errors/index.js';
import type { OperationRequest } from '../model.js';
import { notDeletedRule } from './common.js';
import type { OperationSpec, Rule } from './types.js';

type Req = Extract<OperationRequest, { kind: 'data.export' }>;

const agreementRule: Rule<Req> = {
  id: 'R-REG-3',
  describe: 'Cross-border (EU/US) and local-storage (SEA) agreements signed before export',
  check({ facts, rules }, out) {
    const region = facts.account.region;
    if (rules.region.exportAgreementRequired && !facts.declarations.dataExportAgreementAt) {
      out.push(blocker('EXPORT_AGREEMENT_REQUIRED', { region }));
    }
    // R-REG-2: SEA's local data-storage agreement applies to data leaving the platform.
    if (rules.region.localStorageAgreementRequired && !facts.declarations.localDataStorageAgreementAt) {
      out.push(blocker('LOCAL_STORAGE_AGREEMENT_REQUIRED', { region }));
    }
  },
};

export const dataExport: OperationSpec<Req> = {
  kind: 'data.export',
  reads: [],
  rules: [notDeletedRule, agreementRule],
  warnings: () => [],
  consequences: () => [consequence('CONSEQ_EXPORT_ARCHIVE', 'data', true)],
  evidence: () => [],
  stepUp: () => null,
};
