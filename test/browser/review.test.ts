/**
 * The review console with the self-service page (R-ABN-2, R-ABN-3, R-WIN-2): a frozen user appeals
 * (three verifications from three destinations, a photo, a statement), a reviewer opens the case in
 * the console — queue by due date in working days, evidence opened and audited — decides it with a
 * reason, and the user's freeze is lifted; the account's audit trail shows it and the chain verifies.
 */
import { describe, expect, it } from 'vitest';

import {
  confirmStart,
  expectAllowed,
  newContext,
  platformAccount,
  screenshot,
  signInWithToken,
  userToken,
  verifyCode,
  webSuite,
} from './support.js';

const web = webSuite();

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('appeal and review', () => {
  it('R-ABN-2 R-ABN-3 a frozen user appeals, a reviewer decides it in the console, and the freeze lifts', async () => {
    await platformAccount(web.s, 'web_frozen', 802, { cards: ['card_x', 'card_y'], frozen: true });
    const user = await newContext(web.browser);
    const page = await user.newPage();
    await signInWithToken(page, web.s.base, await userToken(web.s, 'web_frozen'));
    await expect.poll(() => page.getByTestId('account-status').textContent()).toBe('Frozen');

    // the deletion says why not, and its fix is the appeal
    const panel = page.locator('#operation');
    await expect.poll(() => panel.locator('[data-code="ACCOUNT_FROZEN"]').count()).toBe(1);
    await panel
      .locator('[data-code="ACCOUNT_FROZEN"]')
      .getByRole('button', { name: 'Submit an appeal' })
      .click();
    await expect.poll(() => panel.getByTestId('op-kind').inputValue()).toBe('appeal.submit');
    await expectAllowed(page);

    // three verifications, each from another destination: the bound phone, then each card's reserved phone
    for (const i of [0, 1, 2]) await verifyCode(page, `evidence-aux_verification-${i}`);
    const photo = panel.getByTestId('evidence-handheld_id_photo-0');
    await photo
      .getByTestId('file')
      .setInputFiles({ name: 'handheld.png', mimeType: 'image/png', buffer: PNG });
    await photo.getByRole('button', { name: 'Upload' }).click();
    await photo.getByTestId('uploaded').waitFor();
    const statement = panel.getByTestId('evidence-statement-0');
    await statement.getByTestId('statement').fill('My account was frozen after I travelled; it is me.');
    await statement.getByRole('button', { name: 'Save the statement' }).click();
    await statement.getByTestId('uploaded').waitFor();
    await confirmStart(page);
    await page.locator('[data-testid="op-appeal.submit"][data-state="in_review"]').waitFor();
    await screenshot(page, 'user-appeal-in-review');

    // the reviewer: the queue by due date, in working days
    const staff = await newContext(web.browser);
    const console = await staff.newPage();
    await console.goto(`${web.s.base}/admin`);
    await console.getByTestId('demo-reviewer').click();
    const row = console.locator('[data-testid="queue-row"][data-account="web_frozen"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/7 working days left/);
    await screenshot(console, 'console-queue');
    await row.getByTestId('open-case').click();
    const kase = console.getByTestId('case');
    await kase.waitFor();
    await expect.poll(() => kase.textContent()).toMatch(/Claimed by: reviewer:key_/);
    expect(await kase.getByTestId('evidence-item').count()).toBe(2);

    // opening the statement decrypts it, and is audited
    const text = kase.getByTestId('evidence-item').filter({ hasText: 'statement' });
    await text.getByTestId('view-evidence').click();
    await expect.poll(() => text.getByTestId('evidence-text').textContent()).toContain('it is me');
    await kase.getByTestId('decision-accept').check();
    await kase.getByTestId('reason').fill('Verified by three channels and the handheld photo.');
    await screenshot(console, 'console-case');
    await kase.getByTestId('decide').click();
    await expect.poll(() => kase.getByTestId('decided').textContent()).toContain('accepted');

    // the user's freeze is lifted
    await page.reload();
    await expect.poll(() => page.getByTestId('account-status').textContent()).toBe('Active');
    await page
      .locator('[data-testid="op-appeal.submit"][data-state="accepted"]')
      .waitFor({ state: 'attached' });
    await screenshot(page, 'user-appeal-accepted');

    // the account's audit trail in the console: the evidence view and the decision; the chain holds
    await console.getByTestId('tab-audit').click();
    await console.getByTestId('audit-account').fill('web_frozen');
    await console.getByTestId('audit-load').click();
    const trail = console.getByTestId('audit');
    await expect.poll(() => trail.textContent()).toContain('evidence.viewed');
    expect(await trail.textContent()).toContain('review.decided');
    expect(await trail.textContent()).not.toContain('it is me');
    await console.getByTestId('audit-verify').click();
    await expect.poll(() => console.getByTestId('chain').textContent()).toMatch(/Chain intact: \d+ records/);
    await screenshot(console, 'console-audit');
    await user.close();
    await staff.close();
  });
});
