import { defaultWorkingDayCalendar } from '../../src/core/calendar.js';
import type { AccountFacts, OperationRequest, RequestContext } from '../../src/core/model.js';
import { loadPolicy } from '../../src/core/policy/index.js';
import { createPreflight } from '../../src/core/preflight.js';
import { NOON } from './facts.js';

export const policy = loadPolicy();
export const calendar = defaultWorkingDayCalendar();
export const preflight = createPreflight({ policy, calendar });

/** Run a preflight from the primary device at `now` (noon by default). */
export function run(
  facts: AccountFacts,
  request: OperationRequest,
  now = NOON,
  context: RequestContext = { deviceId: 'dev_primary' },
) {
  return preflight({ facts, request, now, context });
}

export function codes(
  facts: AccountFacts,
  request: OperationRequest,
  now = NOON,
  context?: RequestContext,
): string[] {
  return run(facts, request, now, context).blockers.map((b) => b.code);
}
