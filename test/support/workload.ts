/**
 * Realistic people and accounts for the reliability suites, built through the HTTP API of a running
 * service (a process or the in-memory one): Chinese names, GB 11643 document numbers, mainland
 * phones, cards, grants to apps, a primary device; and one-time codes requested, read back from the
 * development verifier and verified, as a user's app would.
 */
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { DAY_MS } from '../../src/core/clock.js';

/** One call to the API: JSON in and out; throws when the service cannot be reached. */
export type Api = (
  method: string,
  path: string,
  opts?: { body?: unknown; key?: string | null; headers?: Record<string, string> },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any route
) => Promise<{ status: number; body: any }>;

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
];

export interface Person {
  name: string;
  documentNumber: string;
  /** As the API takes it: `+86 138…`. */
  phone: string;
}

/**
 * The i-th person of a run: a distinct name, a valid and distinct mainland ID number (its birth date
 * varies with i, so no two accounts share a document), a distinct phone.
 * @example person(7) // { name: '黄洋', documentNumber: '110105198…', phone: '+86 13800000007' }
 */
export function person(i: number, salt = 0): Person {
  const n = i + salt * 10_000;
  const birth = new Date(Date.UTC(1970, 0, 1) + (n % 12_000) * DAY_MS);
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
  return {
    name: `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}`,
    documentNumber: demoIdNumber(100 + Math.floor(n / 12_000), ymd),
    phone: `+86 138${String(n).padStart(8, '0')}`,
  };
}

function must(what: string, r: { status: number; body: unknown }, ...ok: number[]): void {
  if (!ok.includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
}

export interface AccountSpec {
  id: string;
  person: Person;
  region?: string;
  /** Card rows to bind: `{ id, type }` (last4 and bank made up). */
  cards?: { id: string; type: 'debit' | 'credit' | 'overseas' }[];
  /** App ids to grant (developer dev_1). */
  grants?: string[];
  /** The service's now, for fact timestamps (a primary device added long ago satisfies R-REV-1). */
  now: number;
}

/** Create a verified account with its primary device, cards and grants; every call must succeed. */
export async function verifiedAccount(api: Api, spec: AccountSpec): Promise<void> {
  const { id, person: p } = spec;
  must(
    'create',
    await api('POST', '/v1/accounts', { body: { id, region: spec.region ?? 'CN', phone: p.phone } }),
    201,
  );
  must(
    'bind',
    await api('POST', `/v1/accounts/${id}/identity`, {
      body: { name: p.name, documentType: 'cn_id', documentNumber: p.documentNumber },
    }),
    201,
  );
  must(
    'device',
    await api('PUT', `/v1/accounts/${id}/devices/dev_primary`, {
      body: { platform: 'android', osVersion: '14', primary: true, addedAt: spec.now - 400 * DAY_MS },
    }),
    200,
  );
  for (const [i, card] of (spec.cards ?? []).entries())
    must(
      'card',
      await api('PUT', `/v1/accounts/${id}/cards/${card.id}`, {
        body: {
          type: card.type,
          last4: String(1000 + i),
          bank: '招商银行',
          reservedPhoneMasked: '138****0000',
          ...(card.type === 'credit' ? { unbilled: 0 } : {}),
          ...(card.type === 'overseas' ? { crossBorderAgreement: false } : {}),
          boundAt: spec.now - 100 * DAY_MS,
        },
      }),
      200,
    );
  for (const app of spec.grants ?? [])
    must(
      'grant',
      await api('PUT', `/v1/accounts/${id}/grants/${app}`, {
        body: { appName: app, developerId: 'dev_1', active: true, grantedAt: spec.now - DAY_MS },
      }),
      200,
    );
}

/** A problem that the caller may retry: the service is restarting or asked to wait. */
export class RetryLater extends Error {}

/**
 * Request a one-time code for `purpose` — to the card's reserved phone with `cardId`, or to the
 * reserved phone of the card a `bankCheck` names (R-CHG-1: card number, holder name, document type
 * and number, reserved phone) — read it back from the development verifier and verify it; the
 * challenge id to cite as evidence. A 429 (resend too soon) or a code the verifier no longer holds
 * (the process restarted) is RetryLater.
 * @example await verifiedChallenge(api, 'acc_1', 'card.unbind', { cardId: 'debit_1' })
 */
export async function verifiedChallenge(
  api: Api,
  accountId: string,
  purpose: string,
  to: { cardId?: string; bankCheck?: Record<string, string> } = {},
): Promise<string> {
  const req = await api('POST', `/v1/accounts/${accountId}/verifications`, {
    body: { purpose, ...to },
  });
  if (req.status === 429) throw new RetryLater(`verification ${purpose}: resend too soon`);
  must(`verification ${purpose}`, req, 201);
  const challengeId = req.body.challengeId as string;
  const sms = await api('GET', `/v1/dev/sms/${accountId}`);
  const code = (sms.body?.messages as { challengeId: string; code: string }[] | undefined)?.find(
    (m) => m.challengeId === challengeId,
  )?.code;
  if (!code) throw new RetryLater(`verification ${purpose}: the code was not kept`);
  const ok = await api('POST', `/v1/accounts/${accountId}/verifications/${challengeId}/verify`, {
    body: { code },
  });
  // The service's clock may have moved past the code's 5 minutes in between (the crash suite moves it
  // to lapse abandoned Idempotency-Key claims): a client asks for a new code, as the answer says.
  if (ok.status === 410 && ok.body?.code === 'VERIFICATION_CODE_EXPIRED')
    throw new RetryLater(`verify ${purpose}: the code expired before it was entered`);
  must(`verify ${purpose}`, ok, 200);
  return challengeId;
}
