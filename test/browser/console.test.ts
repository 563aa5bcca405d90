/**
 * The console's operator views (R-NOTIFY-1, R-UX-1): an undelivered security event listed and sent
 * again with the retry button (admin key), and the dashboard where the most frequent refusal code
 * users met — the cause the source documents' users were never shown — is at the top.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { verifiedCode } from '../support/service.js';
import {
  ADMIN_KEY,
  appealThroughApi,
  newContext,
  platformAccount,
  screenshot,
  userToken,
  webSuite,
} from './support.js';

const web = webSuite();

async function signInAdmin(page: Page): Promise<void> {
  await page.goto(`${web.s.base}/admin`);
  await page.getByTestId('api-key').fill(ADMIN_KEY);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('tab-queue').waitFor();
}

describe('review console, operator views', () => {
  it('R-NOTIFY-1 an admin sees an undelivered security event and retries it', async () => {
    // an app that holds a grant but never registered a receiver: its notice is dead-lettered at once
    expect(
      (
        await web.s.call('PUT', '/v1/accounts/demo_ready/grants/app_nowhere', {
          body: { appName: 'Nowhere', developerId: 'dev_x', active: true, grantedAt: web.s.clock.now() },
        })
      ).status,
    ).toBe(200);
    expect(
      (await web.s.call('PATCH', '/v1/accounts/demo_ready', { body: { phone: '+86 13700009999' } })).status,
    ).toBe(200);
    expect((await web.s.rn.notify.push.runOnce()).dead).toBeGreaterThanOrEqual(1);
    const dead = (await web.s.call('GET', '/v1/admin/outbox/dead-letters')).body.items as {
      id: number;
      appId: string;
    }[];
    const letter = dead.find((d) => d.appId === 'app_nowhere');
    expect(letter).toBeDefined();

    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await page.getByTestId('tab-dead').click();
    const table = page.getByTestId('dead-letters');
    await expect.poll(() => table.textContent()).toContain('app_nowhere');
    expect(await table.textContent()).toContain('no_receiver');
    await screenshot(page, 'console-dead-letters');
    await page.getByTestId(`retry-${letter!.id}`).click();
    await expect.poll(() => table.textContent()).toContain('Queued again');
    const after = (await web.s.call('GET', '/v1/admin/outbox/dead-letters')).body.items as { id: number }[];
    expect(after.map((d) => d.id)).not.toContain(letter!.id);
    await context.close();
  });

  it('R-UX-1 the dashboard ranks the refusal codes users met, with what they were told, day by day', async () => {
    // the invisible residue refuses three deletions (the SMS step-up done); a frozen account one
    const refuse = async (accountId: string) => {
      const evidence = [{ kind: 'sms_code', ref: await verifiedCode(web.s, accountId, 'account.delete') }];
      const key = await userToken(web.s, accountId);
      const r = await web.s.call('POST', `/v1/accounts/${accountId}/operations/deletion`, {
        key,
        body: { evidence },
      });
      expect(r.status).toBe(422);
      return r.body.blockers.map((b: { code: string }) => b.code) as string[];
    };
    for (let i = 0; i < 3; i++) expect(await refuse('demo_residue')).toEqual(['BALANCE_RESIDUE']);
    expect(await refuse('demo_frozen')).toEqual(['ACCOUNT_FROZEN']);

    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await page.getByTestId('tab-dashboard').click();
    const top = page.getByTestId('top-codes');
    await top.waitFor();
    const first = top.locator('tbody tr').first();
    expect(await first.getAttribute('data-code')).toBe('BALANCE_RESIDUE');
    expect(await first.textContent()).toContain('Clear the residue in Wallet › Balance › Residue');
    expect(await first.textContent()).toContain('75%');
    expect(await top.locator('[data-code="ACCOUNT_FROZEN"]').count()).toBe(1);
    const attempts = await page.getByTestId('attempts').textContent();
    expect(attempts).toContain('Delete the account');
    expect(await page.getByTestId('by-day').textContent()).toContain('BALANCE_RESIDUE ×3');
    await screenshot(page, 'console-dashboard');
    await context.close();
  });

  it('R-ABN-2 R-WIN-2 the queue flags a case past its due date in working days, and filters the overdue ones', async () => {
    await platformAccount(web.s, 'late_case', 810, { cards: ['card_1', 'card_2'], frozen: true });
    await appealThroughApi(web.s, 'late_case');
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInAdmin(page);
    const row = page.locator('[data-testid="queue-row"][data-account="late_case"]');
    await expect.poll(() => row.textContent()).toContain('7 working days left');
    // three weeks on the service's clock: past the 7 working days of the appeal's SLA
    expect((await web.s.call('POST', '/v1/dev/clock', { body: { advance: 'P21D' } })).status).toBe(200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row.textContent()).toMatch(/overdue by \d+ working days/);
    await page.getByLabel('Overdue only').check();
    await expect.poll(() => page.getByTestId('queue-row').count()).toBeGreaterThanOrEqual(1);
    for (const text of await page.getByTestId('queue-row').allTextContents())
      expect(text).toContain('overdue by');
    await screenshot(page, 'console-queue-overdue');
    await context.close();
  });
});
