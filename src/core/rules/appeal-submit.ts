/** Appeals (申诉): R-ABN-2/3, with the SLA in Chinese working days (R-WIN-2). */
import { blocker, consequence, warning } from '../errors/index.js';
import type { OperationRequest } from '../model.js';
import { evidence } from './common.js';
import type { OperationSpec, Rule } from './types.js';

type Req = Extract<OperationRequest, { kind: 'appeal.submit' }>;

const appealableRule: Rule<Req> = {
  id: 'R-ABN-2',
  describe: 'Only a frozen or banned account appeals, one appeal at a time',
  check({ facts }, out) {
    const s = facts.account.status;
    if (s !== 'frozen' && s !== 'banned') out.push(blocker('APPEAL_NOT_NEEDED'));
    if (facts.openAppealId) out.push(blocker('APPEAL_ALREADY_OPEN', { appealId: facts.openAppealId }));
  },
};

export const appealSubmit: OperationSpec<Req> = {
  kind: 'appeal.submit',
  reads: [],
  rules: [appealableRule],
  warnings({ calendar, now, rules }) {
    // Due dates beyond the calendar's official data count weekends only: say so (R-WIN-2).
    const due = calendar.addWorkingDays(now, rules.appeals.slaWorkingDays.max);
    const years = calendar.missingCoverage(now, Math.ceil((due - now) / 86_400_000) + 1);
    return years.length ? [warning('CALENDAR_DATA_MISSING', { years: years.join(', ') })] : [];
  },
  consequences({ calendar, now, rules }) {
    const sla = rules.appeals.slaWorkingDays;
    return [
      consequence('CONSEQ_REVIEW_DUE', 'time', true, {
        minDays: sla.min,
        maxDays: sla.max,
        dueBy: calendar.addWorkingDays(now, sla.max),
      }),
      consequence('CONSEQ_FREEZE_LIFTED_ON_ACCEPT', 'function', true),
    ];
  },
  evidence({ rules }) {
    return [
      evidence('aux_verification', 'R-ABN-2', rules.appeals.minAuxVerifications),
      evidence('handheld_id_photo', 'R-ABN-2'),
      evidence('statement', 'R-ABN-2'),
    ];
  },
  stepUp: () => null,
};
