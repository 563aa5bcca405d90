/**
 * Demo sign-in (`serve --demo` only): the self-service page lists the demo accounts and signs in as
 * one of them with an end-user token; the review console signs in as a demo reviewer. Only the demo
 * accounts can be chosen — never another account — and main.ts registers this only in demo mode,
 * so a deployment without `--demo` has no such door. Tokens are derived from the master key, so
 * every sign-in to one account presents the same token (the key table does not grow per click).
 */
import { DomainError } from '../core/errors/index.js';
import type { Localized } from '../core/errors/render.js';
import type { AdminService } from './admin.js';
import { hashSecret } from './admin.js';
import type { AppDeps } from './deps.js';

export interface DemoAccountInfo {
  id: string;
  /** What the account shows (the picker's label). */
  title: Localized;
}

export interface DemoSession {
  token: string;
  kind: 'user' | 'reviewer';
  accountId: string | null;
  scopes: string[];
}

const ACTOR = { id: 'system:demo' };

/** The demo reviewers (two: a non-mainland change needs a second reviewer, R-CHG-4). */
export const DEMO_REVIEWERS = ['reviewer', 'reviewer2'] as const;
export type DemoReviewer = (typeof DEMO_REVIEWERS)[number];

export function createDemoService(
  deps: Pick<AppDeps, 'store'>,
  opts: {
    accounts: readonly DemoAccountInfo[];
    admin: Pick<AdminService, 'createKey'>;
    /** A stable secret derived from the master key for a label (main.ts `deriveSecret`). */
    secretFor: (label: string) => string;
  },
) {
  const { store } = deps;

  /** The key with this secret, created on its first use. */
  async function ensureKey(
    secret: string,
    input: { name: string; scopes: string[]; accountId?: string },
  ): Promise<void> {
    if (await store.findApiKey(hashSecret(secret))) return;
    await opts.admin.createKey({ ...input, secret }, ACTOR);
  }

  return {
    /** The demo accounts that exist (`serve --demo` loads them), with their status for the picker. */
    async accounts() {
      const out = [];
      for (const a of opts.accounts) {
        const account = await store.account(a.id);
        if (account) out.push({ id: a.id, title: a.title, region: account.region, status: account.status });
      }
      return out;
    },

    /**
     * @example await demo.signIn({ accountId: 'demo_busy' }) // { token: 'rn_demo_user_…', kind: 'user', … }
     * @example await demo.signIn({ reviewer: 'reviewer' })
     */
    async signIn(input: { accountId: string } | { reviewer: DemoReviewer }): Promise<DemoSession> {
      if ('reviewer' in input) {
        const token = `rn_demo_${input.reviewer}_${opts.secretFor(`demo-${input.reviewer}`)}`;
        const scopes = ['reviews:write'];
        await ensureKey(token, { name: `demo ${input.reviewer}`, scopes });
        return { token, kind: 'reviewer', accountId: null, scopes };
      }
      // Only a demo account, and only one that exists: any other id is the same 404.
      if (!opts.accounts.some((a) => a.id === input.accountId) || !(await store.account(input.accountId)))
        throw new DomainError('ACCOUNT_NOT_FOUND');
      const token = `rn_demo_user_${opts.secretFor(`demo-user:${input.accountId}`)}`;
      await ensureKey(token, {
        name: `demo user ${input.accountId}`,
        scopes: [],
        accountId: input.accountId,
      });
      return { token, kind: 'user', accountId: input.accountId, scopes: ['user'] };
    },
  };
}

export type DemoService = ReturnType<typeof createDemoService>;
