/**
 * A revocable account through the API (R-REV-1 satisfied: verified identity, primary device added
 * long ago, nothing held) with grants to apps, and the start of its revocation (R-REV-2 step-up).
 */
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { DAY_MS } from '../../src/core/clock.js';
import { verifiedCode, type Service } from './service.js';

let n = 0;

export interface RevocableOptions {
  id?: string;
  region?: string;
  /** Grants to this many apps (app_1 … app_N, developer dev_1). */
  grants?: number;
  merchant?: boolean;
  miniPrograms?: number;
}

/** @example const id = await revocableAccount(s, { grants: 3 }); */
export async function revocableAccount(s: Service, opts: RevocableOptions = {}): Promise<string> {
  const id = opts.id ?? `acc_rev_${process.pid}_${++n}`;
  const created = await s.call('POST', '/v1/accounts', {
    body: { id, region: opts.region ?? 'CN', phone: '+86 13812345678' },
  });
  if (created.status !== 201)
    throw new Error(`create ${id}: ${created.status} ${JSON.stringify(created.body)}`);
  const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
    body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(700 + (n % 200)) },
  });
  if (bound.status !== 201) throw new Error(`bind ${id}: ${bound.status} ${JSON.stringify(bound.body)}`);
  await s.call('PUT', `/v1/accounts/${id}/devices/dev_primary`, {
    body: { platform: 'android', osVersion: '14', primary: true, addedAt: s.clock.now() - 400 * DAY_MS },
  });
  for (let i = 1; i <= (opts.grants ?? 0); i++) {
    const g = await s.call('PUT', `/v1/accounts/${id}/grants/app_${i}`, {
      body: { appName: `App ${i}`, developerId: 'dev_1', active: true, grantedAt: s.clock.now() - DAY_MS },
    });
    if (g.status !== 200) throw new Error(`grant: ${g.status} ${JSON.stringify(g.body)}`);
  }
  for (let i = 1; i <= (opts.miniPrograms ?? 0); i++) {
    await s.call('PUT', `/v1/accounts/${id}/mini-programs/mp_${i}`, { body: { name: `Mini ${i}` } });
  }
  if (opts.merchant) {
    await s.call('PATCH', `/v1/accounts/${id}`, { body: { merchant: { id: 'mch_1', status: 'active' } } });
  }
  return id;
}

/** Start the revocation (202) and return the operation id; throws with the problem otherwise. */
export async function startRevocation(s: Service, id: string): Promise<string> {
  const r = await s.call('POST', `/v1/accounts/${id}/operations/realname-revoke`, {
    body: {
      deviceId: 'dev_primary',
      evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'realname.revoke') }],
    },
  });
  if (r.status !== 202) throw new Error(`revoke ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}
