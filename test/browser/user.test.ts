/**
 * The self-service page in a real browser (R-UX-1, R-UX-3, R-DEL-2/3, R-CHK-1, R-CMP-1, R-EXP-1):
 * every blocker of a deletion with its fix, one fixed and gone, the deletion started with its SMS
 * step-up, the cooling-off countdown, and the cancel.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import type { Page } from 'playwright-core';
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

/** How many cards the account has, as the API says. */
async function cardCount(accountId: string): Promise<number> {
  return (await web.s.call('GET', `/v1/accounts/${accountId}`)).body.cards.length as number;
}

async function blockerCodes(page: Page): Promise<string[]> {
  const items = page.getByTestId('blocker');
  const codes: string[] = [];
  for (let i = 0; i < (await items.count()); i++)
    codes.push((await items.nth(i).getAttribute('data-code')) ?? '');
  return codes;
}

describe('self-service page', () => {
  it('R-UX-1 R-UX-2 demo_busy: every blocker of a deletion is shown with its message and a fix, as the API reports them', async () => {
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await page.goto(`${web.s.base}/`);
    await page.getByTestId('demo-demo_busy').click();
    await page.locator('#operation').getByTestId('blockers').waitFor();
    const api = await web.s.call(
      'GET',
      '/v1/accounts/demo_busy/operations/deletion/preflight?deviceId=dev_primary',
    );
    const expected = (api.body.blockers as { code: string }[]).map((b) => b.code);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    expect(await blockerCodes(page)).toEqual(expected);
    // the silent ones of the source documents are there, each with its words and a way to act
    for (const code of ['BALANCE_NOT_ZERO', 'RED_PACKET_UNCLAIMED', 'SUBSCRIPTION_ACTIVE'])
      expect(expected).toContain(code);
    const items = page.getByTestId('blocker');
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i);
      const b = api.body.blockers[i];
      await expect.poll(() => item.textContent()).toContain(b.message.en);
      expect(await item.textContent()).toContain(b.remediation.message.en);
      // a button that performs the fix, or a disclosure that explains where it is done
      expect((await item.locator('button, details').count()) > 0 || b.remediation.action === 'none').toBe(
        true,
      );
    }
    expect(await page.getByTestId('start').count()).toBe(0);
    await screenshot(page, 'user-deletion-blockers-demo_busy');
    await context.close();
  });

  it('R-DEL-1 R-DEL-2 R-DEL-3 a user fixes a blocker (unbinds a card), sees it disappear, starts the deletion, sees the countdown, cancels', async () => {
    await platformAccount(web.s, 'web_del', 801, { cards: ['card_a', 'card_b'] });
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInWithToken(page, web.s.base, await userToken(web.s, 'web_del'));
    const panel = page.locator('#operation');
    await panel.getByTestId('blockers').waitFor();
    await expect.poll(() => blockerCodes(page)).toEqual(['CARD_BOUND', 'CARD_BOUND']);
    await screenshot(page, 'user-deletion-two-blockers');

    // fix the first: its button opens the card unbind of that card, with an SMS code to its reserved phone
    await panel
      .locator('[data-code="CARD_BOUND"]')
      .first()
      .getByRole('button', { name: 'Unbind this card' })
      .click();
    await expect.poll(() => panel.getByTestId('op-kind').inputValue()).toBe('card.unbind');
    await expectAllowed(page);
    await verifyCode(page, 'evidence-reserved_phone_code-0');
    await confirmStart(page);
    await expect.poll(() => cardCount('web_del')).toBe(1);

    // back to the deletion: that blocker is gone, the other card's is still there
    await panel.getByTestId('op-kind').selectOption('account.delete');
    await expect.poll(() => blockerCodes(page)).toEqual(['CARD_BOUND']);
    expect(await panel.getByTestId('blocker').textContent()).toContain('ending 2111');
    await screenshot(page, 'user-deletion-one-blocker-left');

    await panel.getByRole('button', { name: 'Unbind this card' }).click();
    await expectAllowed(page);
    await verifyCode(page, 'evidence-reserved_phone_code-0');
    await confirmStart(page);
    await expect.poll(() => cardCount('web_del')).toBe(0);

    // the deletion: no blocker; its consequences before the confirmation; the SMS step-up
    await panel.getByTestId('op-kind').selectOption('account.delete');
    await expectAllowed(page);
    expect(await blockerCodes(page)).toEqual([]);
    const consequences = await panel.getByTestId('consequences').textContent();
    expect(consequences).toContain('60');
    await expect.poll(() => panel.getByTestId('start').isDisabled()).toBe(true);
    await verifyCode(page, 'evidence-sms_code-0');
    await confirmStart(page);

    // the countdown of the cooling-off, on the service's clock: 60 days
    const countdown = page.getByTestId('countdown');
    await countdown.waitFor();
    expect(await countdown.textContent()).toMatch(/59 days 23:59|60 days 00:00/);
    await expect.poll(() => page.getByTestId('account-status').textContent()).toContain('Being deleted');
    await screenshot(page, 'user-deletion-countdown');

    await page.getByTestId('cancel-account.delete').click();
    await expect.poll(() => page.getByTestId('account-status').textContent()).toBe('Active');
    await expect.poll(() => page.getByTestId('countdown').count()).toBe(0);
    const ops = (await web.s.call('GET', '/v1/accounts/web_del/operations')).body as {
      kind: string;
      outcome: string;
    }[];
    expect(ops.find((o) => o.kind === 'account.delete')?.outcome).toBe('cancelled');
    await screenshot(page, 'user-deletion-cancelled');
    await context.close();
  });
});

describe('self-service page, risk step-up', () => {
  it('R-RISK-1 a start that risk control steps up asks for the face video on the page, and goes ahead with it', async () => {
    await platformAccount(web.s, 'web_risk', 805, { cards: ['card_r'] });
    // a new device and an abnormal login from it: a theft victim's pattern, asked to step up (score 30)
    web.s.clock.advance(2 * 3_600_000);
    for (const [url, body] of [
      [
        '/v1/accounts/web_risk/devices/dev_new',
        { platform: 'android', osVersion: '14', primary: false, addedAt: web.s.clock.now() },
      ],
      [
        '/v1/accounts/web_risk/logins/login_odd',
        { at: web.s.clock.now(), deviceId: 'dev_new', abnormal: true },
      ],
    ] as const)
      expect((await web.s.call('PUT', url, { body })).status).toBe(200);
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInWithToken(page, web.s.base, await userToken(web.s, 'web_risk'));
    const panel = page.locator('#operation');
    await panel.getByTestId('op-kind').selectOption('card.unbind');
    await expectAllowed(page);
    await verifyCode(page, 'evidence-reserved_phone_code-0');
    await confirmStart(page);
    // refused with the code and what to do; the face video joins what the confirmation asks for
    await expect
      .poll(() => panel.locator('[data-code="OPERATION_BLOCKED"]').textContent())
      .toContain('RISK_STEP_UP_REQUIRED');
    const video = panel.getByTestId('evidence-liveness_video-0');
    await video.waitFor();
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(16)]);
    await video.getByTestId('file').setInputFiles({ name: 'face.mp4', mimeType: 'video/mp4', buffer: mp4 });
    await video.getByRole('button', { name: 'Upload' }).click();
    await video.getByTestId('uploaded').waitFor();
    await screenshot(page, 'user-risk-step-up');
    await panel.getByTestId('start').click();
    await expect.poll(() => cardCount('web_risk')).toBe(0);
    await context.close();
  });
});

describe('self-service page, a minor', () => {
  it('R-MIN-1 a minor unbinds a card with the guardian verifying through the development verifier', async () => {
    await platformAccount(web.s, 'web_guardian', 806);
    const created = await web.s.call('POST', '/v1/accounts', {
      body: {
        id: 'web_minor',
        region: 'CN',
        phone: '+86 13912340000',
        minor: true,
        guardianAccountId: 'web_guardian',
      },
    });
    expect(created.status).toBe(201);
    for (const [method, url, body] of [
      [
        'POST',
        '/v1/accounts/web_minor/identity',
        { name: '林小小', documentType: 'cn_id', documentNumber: demoIdNumber(807, '20120305') },
      ],
      [
        'PUT',
        '/v1/accounts/web_minor/devices/dev_m',
        {
          platform: 'android',
          osVersion: '14',
          primary: true,
          addedAt: web.s.clock.now() - 300 * 86_400_000,
        },
      ],
      [
        'PUT',
        '/v1/accounts/web_minor/cards/card_m',
        {
          type: 'debit',
          last4: '7777',
          bank: 'ICBC',
          reservedPhoneMasked: '137****1234',
          boundAt: web.s.clock.now() - 86_400_000,
        },
      ],
    ] as const)
      expect((await web.s.call(method, url, { body })).status).toBeLessThan(300);
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInWithToken(page, web.s.base, await userToken(web.s, 'web_minor'));
    const panel = page.locator('#operation');
    await panel.getByTestId('op-kind').selectOption('card.unbind');
    await expectAllowed(page);
    expect(await panel.getByTestId('step-up').textContent()).toContain('Your guardian verifies too');
    await verifyCode(page, 'evidence-reserved_phone_code-0');
    // the guardian's face check: the development verifier sends a code to the guardian's phone
    await verifyCode(page, 'evidence-guardian_face-0');
    expect(await panel.getByTestId('evidence-guardian_face-0').textContent()).toContain('guardian');
    await confirmStart(page);
    await expect.poll(() => cardCount('web_minor')).toBe(0);
    await context.close();
  });
});

describe('self-service page, after a revocation', () => {
  it('R-REV-5 R-REV-7 R-CHK-1 R-CMP-1 R-EXP-1 the restrictions and the restoration progress (2 of 3), the comparison, the export and the lock', async () => {
    await platformAccount(web.s, 'web_rev', 804);
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await signInWithToken(page, web.s.base, await userToken(web.s, 'web_rev'));
    // the three routes side by side
    const cmp = await page.getByTestId('comparison').textContent();
    for (const route of ['Delete the account', 'Unbind all cards', 'Change the real-name subject'])
      expect(cmp).toContain(route);

    // the revocation, with its SMS step-up, through the page
    const panel = page.locator('#operation');
    await panel.getByTestId('op-kind').selectOption('realname.revoke');
    await expectAllowed(page);
    await verifyCode(page, 'evidence-sms_code-0');
    await confirmStart(page);
    await expect
      .poll(
        async (): Promise<string> =>
          (await web.s.call('GET', '/v1/accounts/web_rev')).body.identity.status as string,
        {
          timeout: 20_000,
        },
      )
      .toBe('revoked');

    // an hour later, the platform records a card bound again and two verified payments
    web.s.clock.advance(3_600_000);
    expect(
      (
        await web.s.call('PUT', '/v1/accounts/web_rev/cards/card_new', {
          body: {
            type: 'debit',
            last4: '4321',
            bank: 'ICBC',
            reservedPhoneMasked: '137****1234',
            boundAt: web.s.clock.now(),
          },
        })
      ).status,
    ).toBe(200);
    for (const id of ['tx_1', 'tx_2'])
      expect(
        (
          await web.s.call('POST', '/v1/accounts/web_rev/transactions', {
            body: { id, kind: 'payment', amount: 10_000, status: 'completed', verified: true },
          })
        ).status,
      ).toBe(201);
    await page.reload();
    const caps = page.locator('#capabilities');
    await caps.getByTestId('restrictions').waitFor();
    expect(await caps.getByTestId('restrictions').textContent()).toContain('R-REV-5');
    await expect
      .poll(() => caps.getByTestId('restoration').textContent())
      .toContain('2 of 3 verified transactions');
    expect(await caps.locator('progress').getAttribute('value')).toBe('2');
    expect(await page.getByTestId('realname-status').textContent()).toBe('Revoked');
    await screenshot(page, 'user-capabilities-restoration');

    // R-EXP-1: the archive downloads, masked
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    expect(download.suggestedFilename()).toBe('realname-export-web_rev.json');
    const archive = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(archive.format).toBe('realname-export/v1');
    expect(JSON.stringify(archive)).not.toContain(demoIdNumber(804, '19900202'));

    // R-CHK-1: lock my account, confirmed in two steps
    await page.getByTestId('lock').click();
    await page.getByTestId('lock-confirm').click();
    await expect.poll(() => page.getByTestId('account-status').textContent()).toBe('Frozen');
    expect((await web.s.call('GET', '/v1/accounts/web_rev')).body.account.frozenReason).toBe(
      'locked_by_user',
    );
    await context.close();
  });
});
