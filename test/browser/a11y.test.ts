/**
 * WCAG 2.1 AA on every page, in both themes (axe-core: zero serious or critical violations, colour
 * contrast included); keyboard use; the language following the browser and switchable; a phone's
 * viewport. Each page's screenshot is kept in artifacts/browser/.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ADMIN_KEY,
  appealThroughApi,
  expectAccessible,
  newContext,
  platformAccount,
  screenshot,
  webSuite,
} from './support.js';

const web = webSuite();

beforeAll(async () => {
  // a case in the queue (a frozen account's appeal, through the API), so the console has one to show
  await platformAccount(web.s, 'a11y_case', 803, { cards: ['card_1', 'card_2'], frozen: true });
  await appealThroughApi(web.s, 'a11y_case');
});

/** The theme the page put on <html> (data-theme). */
function pageTheme(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document
        .documentElement.dataset.theme,
  );
}

/** The self-service pages: sign-in, an account full of blockers, the confirmation with a code sent. */
async function userPages(page: Page, check: (name: string) => Promise<void>): Promise<void> {
  await page.goto(`${web.s.base}/`);
  await page.getByTestId('demo-demo_busy').waitFor();
  await check('user-sign-in');
  await page.getByTestId('demo-demo_busy').click();
  await page.locator('#operation').getByTestId('blockers').waitFor();
  await page.getByTestId('comparison').waitFor();
  await page.locator('#operation details').first().locator('summary').click();
  await check('user-account-blockers');
  await page.getByRole('button', { name: /Sign out|退出登录/ }).click();
  await page.getByTestId('demo-demo_ready').click();
  const panel = page.locator('#operation');
  web.s.clock.advance(5 * 60_000); // past the resend cooldown of the code the other theme asked for
  await panel.getByTestId('evidence-sms_code-0').getByTestId('send-code').click();
  await panel.getByTestId('dev-inbox').waitFor();
  await check('user-account-confirm');
  await page.getByRole('button', { name: /Sign out|退出登录/ }).click();
}

/** The console: sign-in, queue, a case with its risk decision, dashboard, audit, dead letters. */
async function consolePages(page: Page, check: (name: string) => Promise<void>): Promise<void> {
  await page.goto(`${web.s.base}/admin`);
  await page.getByTestId('api-key').waitFor();
  await check('console-sign-in');
  await page.getByTestId('api-key').fill(ADMIN_KEY);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('queue').waitFor();
  await check('console-queue');
  await page.locator('[data-testid="queue-row"][data-account="a11y_case"]').getByTestId('open-case').click();
  await page.getByTestId('risk').waitFor();
  await check('console-case');
  await page.getByTestId('tab-dashboard').click();
  await page.getByTestId('top-codes').or(page.getByTestId('attempts')).first().waitFor();
  await check('console-dashboard');
  await page.getByTestId('tab-audit').click();
  await page.getByTestId('audit-account').fill('a11y_case');
  await page.getByTestId('audit-load').click();
  await page.getByTestId('audit').waitFor();
  await page.getByTestId('audit-verify').click();
  await page.getByTestId('chain').waitFor();
  await check('console-audit');
  await page.getByTestId('tab-dead').click();
  await page.getByRole('heading', { name: /Undelivered security events|未送达的安全事件/ }).waitFor();
  await check('console-dead-letters');
  await page.getByRole('button', { name: /Sign out|退出登录/ }).click();
}

describe('accessibility', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`WCAG 2.1 AA in the ${theme} theme: every page has zero serious or critical axe violations`, async () => {
      const context = await newContext(web.browser, { theme });
      const page = await context.newPage();
      const checked: string[] = [];
      const check = async (name: string) => {
        expect(await pageTheme(page)).toBe(theme);
        await expectAccessible(page, `${name} (${theme})`);
        await screenshot(page, `${name}-${theme}`);
        checked.push(name);
      };
      await userPages(page, check);
      await consolePages(page, check);
      expect(checked).toHaveLength(9);
      await context.close();
    });
  }

  it('the theme switch overrides the system preference and is remembered', async () => {
    const context = await newContext(web.browser, { theme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${web.s.base}/`);
    expect(await pageTheme(page)).toBe('dark');
    await page.getByTestId('theme').click();
    expect(await pageTheme(page)).toBe('light');
    await page.reload();
    expect(await pageTheme(page)).toBe('light');
    await context.close();
  });

  it('keyboard only: skip link first, a demo account signed in with Enter, a blocker’s fix reached and used with the keyboard', async () => {
    const context = await newContext(web.browser);
    const page = await context.newPage();
    await page.goto(`${web.s.base}/`);
    await page.getByTestId('demo-demo_busy').waitFor();
    const focused = () =>
      page.evaluate(() => {
        const el = (
          globalThis as unknown as {
            document: {
              activeElement: {
                getAttribute(n: string): string | null;
                textContent: string | null;
                className: string;
              } | null;
            };
          }
        ).document.activeElement;
        return {
          testId: el?.getAttribute('data-testid') ?? null,
          text: el?.textContent ?? '',
          cls: el?.className ?? '',
        };
      });
    await page.keyboard.press('Tab');
    expect((await focused()).cls).toBe('skip');
    // on to the demo account with Tab alone, and Enter signs in
    for (let i = 0; i < 30 && (await focused()).testId !== 'demo-demo_busy'; i++)
      await page.keyboard.press('Tab');
    expect((await focused()).testId).toBe('demo-demo_busy');
    await page.keyboard.press('Enter');
    await page.locator('#operation').getByTestId('blockers').waitFor();
    // a blocker's fix button, by keyboard: "Unbind this card" opens that card's unbind
    for (let i = 0; i < 200 && (await focused()).text.trim() !== 'Unbind this card'; i++)
      await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Unbind this card');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#operation').getByTestId('op-kind').inputValue())
      .toBe('card.unbind');
    await context.close();
  });

  it('the language follows the browser (zh-CN), switches to English, and stays chosen', async () => {
    const context = await newContext(web.browser, { locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${web.s.base}/`);
    await page.getByTestId('demo-demo_residue').click();
    const panel = page.locator('#operation');
    await panel.getByTestId('blockers').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.title()).toBe('Realname — 我的实名认证');
    // the blocker's words come from the API in Chinese: the residue nobody sees (R-UX-2)
    await expect
      .poll(() => panel.locator('[data-code="BALANCE_RESIDUE"]').textContent())
      .toContain('¥0.0050');
    expect(await panel.locator('[data-code="BALANCE_RESIDUE"]').textContent()).toMatch(/零钱|余额/);
    await screenshot(page, 'user-account-zh-CN');
    await page.getByTestId('lang').selectOption('en');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expect
      .poll(() => panel.locator('[data-code="BALANCE_RESIDUE"]').textContent())
      .toContain('residue');
    await page.reload();
    await panel.getByTestId('blockers').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it('a phone-sized viewport: no page scrolls sideways, and both pages are usable', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const context = await newContext(web.browser, { phone: true, theme });
      const page = await context.newPage();
      const noSideways = async (name: string) => {
        const { scroll, width } = await page.evaluate(() => {
          const d = (
            globalThis as unknown as {
              document: { documentElement: { scrollWidth: number; clientWidth: number } };
            }
          ).document;
          return { scroll: d.documentElement.scrollWidth, width: d.documentElement.clientWidth };
        });
        expect(scroll, `${name} scrolls sideways`).toBeLessThanOrEqual(width);
        await expectAccessible(page, `${name} (phone, ${theme})`);
        await screenshot(page, `${name}-phone-${theme}`);
      };
      await page.goto(`${web.s.base}/`);
      await page.getByTestId('demo-demo_busy').click();
      await page.locator('#operation').getByTestId('blockers').waitFor();
      await noSideways('user-account');
      await page.goto(`${web.s.base}/admin`);
      await page.getByTestId('api-key').fill(ADMIN_KEY);
      await page.getByTestId('sign-in').click();
      await page.getByTestId('queue').waitFor();
      await noSideways('console-queue');
      await context.close();
    }
  });
});
