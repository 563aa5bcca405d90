/**
 * The browser suite's harness: the real service (createRealname, embedded SQLite, demo data, the
 * dev clock at a fixed instant) listening on a random port and serving the built web bundle, and
 * Debian's Chromium driven by playwright-core (no browser download: `.ci/run` installs chromium and
 * fonts-wqy-zenhei with apt). Screenshots go to artifacts/browser/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { demoIdNumber, loadDemo } from '../../src/adapters/cli/demo.js';
import { startService, T0, ADMIN_KEY, verifiedCode, type Service } from '../support/service.js';

export { ADMIN_KEY, T0 };

const ROOT = new URL('../../', import.meta.url).pathname;
export const ARTIFACTS = join(ROOT, 'artifacts', 'browser');
const CHROMIUM = process.env.REALNAME_CHROMIUM ?? '/usr/bin/chromium';

export interface WebService extends Service {
  base: string;
}

/** The service with the demo accounts, listening on 127.0.0.1 on a random port. */
export async function startWebService(): Promise<WebService> {
  if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')))
    throw new Error('the web bundle is not built: run `npm run build:web` (npm run test:browser does)');
  const s = await startService('sqlite', {}, undefined, T0, { demo: true });
  await loadDemo({
    accounts: s.rn.services.accounts,
    clock: s.clock,
    exists: async (id) => (await s.rn.store.account(id)) !== null,
  });
  await s.rn.server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = s.rn.server.server.address() as AddressInfo;
  return { ...s, base: `http://127.0.0.1:${port}` };
}

/** Debian's Chromium, headless, with nothing that reaches outside this machine. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-zenhei`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh context (its own storage) in a language and theme; a phone's viewport when asked. */
export async function newContext(
  browser: Browser,
  opts: { locale?: string; theme?: 'light' | 'dark'; phone?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'en-US',
    colorScheme: opts.theme ?? 'light',
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    ...(opts.phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
    acceptDownloads: true,
  });
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it is now: the serious and critical violations.
 * axe is evaluated through the DevTools protocol, so the page's CSP (script-src 'self') stays on.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    return axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
  });
  return (result.violations as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

export async function expectAccessible(page: Page, what: string): Promise<void> {
  const bad = await axeViolations(page);
  const summary = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n  ')}`,
  );
  expect(summary, `${what}: serious or critical accessibility violations`).toEqual([]);
}

/** A verified end-user's account made through the platform API, as the platform would record it. */
export async function platformAccount(
  s: Service,
  id: string,
  seq: number,
  opts: { cards?: string[]; frozen?: boolean } = {},
): Promise<void> {
  const call = async (method: string, url: string, body?: unknown) => {
    const r = await s.call(method, url, body === undefined ? {} : { body });
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown;
  };
  await call('POST', '/v1/accounts', { id, region: 'CN', phone: '+86 13912345678' });
  await call('POST', `/v1/accounts/${id}/identity`, {
    name: '林小雨',
    documentType: 'cn_id',
    documentNumber: demoIdNumber(seq, '19900202'),
  });
  await call('PUT', `/v1/accounts/${id}/devices/dev_phone`, {
    platform: 'android',
    osVersion: '14',
    primary: true,
    addedAt: T0 - 400 * 86_400_000,
  });
  for (const [i, card] of (opts.cards ?? []).entries())
    await call('PUT', `/v1/accounts/${id}/cards/${card}`, {
      type: 'debit',
      last4: String(1000 + i * 1111).slice(-4),
      bank: 'ICBC',
      reservedPhoneMasked: '137****1234',
      boundAt: T0 - 100 * 86_400_000,
    });
  if (opts.frozen)
    await call('PATCH', `/v1/accounts/${id}`, { status: 'frozen', frozenReason: 'risk_control' });
}

/** An end-user token for an account (what the platform hands its app). */
export async function userToken(s: Service, accountId: string): Promise<string> {
  const r = await s.call('POST', '/v1/keys', { body: { name: `web ${accountId}`, accountId } });
  return r.body.secret as string;
}

/** Sign in on the self-service page by pasting a token. */
export async function signInWithToken(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel(/User token|用户令牌/).fill(token);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.locator('#status').waitFor();
}

/**
 * Register the suite's service and browser (started once per file, closed after it).
 * @example const web = webSuite(); it('…', async () => { await web.s.call(…); await web.browser.newContext(); });
 */
export function webSuite(): { s: WebService; browser: Browser } {
  const suite = {} as { s: WebService; browser: Browser };
  beforeAll(async () => {
    suite.s = await startWebService();
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.s?.stop();
  });
  return suite;
}

/** Request a one-time code in an evidence slot, read it in the development inbox, type it, verify it. */
export async function verifyCode(page: Page, slot: string): Promise<void> {
  const box = page.getByTestId(slot);
  await box.getByTestId('send-code').click();
  const code = (await box.getByTestId('dev-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^\d{6}$/);
  await box.getByTestId('code-input').fill(code);
  await box.getByTestId('verify-code').click();
  await expect.poll(() => box.getByTestId('verified').isVisible()).toBe(true);
}

/** Wait until the operation panel's preflight allows the operation. */
export async function expectAllowed(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('#operation').getByTestId('preflight-summary').textContent())
    .toContain('Nothing stands in the way');
}

/** Acknowledge the consequences and press the start button. */
export async function confirmStart(page: Page): Promise<void> {
  const panel = page.locator('#operation');
  await panel.getByTestId('ack').check();
  await panel.getByTestId('start').click();
}

/**
 * R-ABN-2: an appeal of a frozen account with two cards, made through the API as its user would: three
 * verified codes from three destinations, a handheld photo and a statement. Returns the operation id.
 */
export async function appealThroughApi(s: Service, accountId: string): Promise<string> {
  const aux = [
    await verifiedCode(s, accountId, 'appeal.submit'),
    await verifiedCode(s, accountId, 'appeal.submit', 'card_1'),
    await verifiedCode(s, accountId, 'appeal.submit', 'card_2'),
  ];
  const upload = async (kind: string, contentType: string, data: Buffer) =>
    (
      await s.call('POST', `/v1/accounts/${accountId}/evidence`, {
        body: { kind, contentType, data: data.toString('base64') },
      })
    ).body.id as string;
  const photo = await upload(
    'handheld_id_photo',
    'image/jpeg',
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
  );
  const statement = await upload('statement', 'text/plain', Buffer.from('It is me.'));
  const started = await s.call('POST', `/v1/accounts/${accountId}/operations/appeal`, {
    body: {
      evidence: [
        ...aux.map((ref) => ({ kind: 'aux_verification', ref })),
        { kind: 'handheld_id_photo', ref: photo },
        { kind: 'statement', ref: statement },
      ],
    },
  });
  expect(started.status).toBe(202);
  return started.body.id as string;
}
