import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openNwcWallet } from '../server/rails/nwc/nwc-wallet';
import { expectNoSeriousAxeViolations } from './support/axe';
import { PASSWORD, PHONE, shot, signUp } from './support/session';

test('a new account sees its 100,000 sats in the ledger and in the wallet, in agreement', async ({ page }) => {
  await signUp(page, 'wallet');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Wallet/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();

  await expect(page.getByTestId('ledger-available')).toHaveText('100,000 sats');
  await expect(page.getByTestId('ledger-held')).toHaveText('0 sats');
  // The wallet's own balance, read over NWC from the sandbox wallet.
  await expect(page.getByTestId('wallet-balance-amount')).toHaveText('100,000 sats', { timeout: 20_000 });
  await expect(page.getByTestId('reconciliation')).toHaveAttribute('data-status', 'agree');
  await expect(page.getByTestId('reconciliation')).toContainText('Ledger and wallet agree');

  const connection = page.getByTestId('wallet-connection');
  await expect(connection.getByTestId('wallet-network')).toContainText('regtest');
  await expect(connection.getByTestId('wallet-alias')).toContainText('sandbox');
  await expect(page.locator('body')).not.toContainText('nostr+walletconnect');

  const movements = page.getByTestId('wallet-movements');
  await expect(movements.locator('tbody tr')).toHaveCount(1);
  await expect(movements.locator('tr[data-kind="welcome_credit"]')).toContainText('+100,000 sats');
  await expect(page.getByTestId('top-up-quote')).toContainText('$10.00 buys 9,700 sats');
  await shot(page, 'wallet-desktop');

  await page.setViewportSize({ width: 390, height: 780 });
  await page.reload();
  await expect(page.getByTestId('wallet-balance-amount')).toHaveText('100,000 sats', { timeout: 20_000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'wallet-phone');
});

/** The sandbox's shared `guest` wallet, as any NIP-47 client reaches it (connections.json). */
function guestConnection(): string {
  const dataDir = process.env.E2E_DATA_DIR ?? 'data/e2e';
  const connections = JSON.parse(readFileSync(join(dataDir, 'sandbox', 'connections.json'), 'utf8')) as { wallets: Record<string, string> };
  const url = connections.wallets.guest;
  if (!url) throw new Error('the sandbox has no guest wallet');
  return url;
}

function guestWallet() {
  const opened = openNwcWallet(guestConnection());
  if (!opened.ok) throw new Error(opened.reason);
  return opened.wallet;
}

async function guestBalanceMsat(): Promise<number> {
  const guest = guestWallet();
  try {
    const balance = await guest.getBalance();
    if (!balance.ok) throw new Error(balance.reason);
    return balance.value.balanceMsat;
  } finally {
    guest.close();
  }
}

async function openWallet(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Wallet/ }).click();
  await expect(page.getByTestId('wallet-balance-amount')).toHaveText('100,000 sats', { timeout: 20_000 });
}

test('receives 1,000 sats from the guest wallet through the QR invoice, and sees them arrive without reloading', async ({ page }) => {
  await signUp(page, 'receive');
  await openWallet(page);
  const receive = page.getByTestId('receive');
  await receive.getByLabel('Amount in sats').fill('1000');
  await receive.getByRole('button', { name: 'Create invoice' }).click();
  const qr = receive.getByTestId('receive-qr');
  await expect(qr).toBeVisible();
  await expect(receive.getByTestId('receive-status')).toContainText('Waiting for 1,000 sats');
  await shot(page, 'wallet-receive-desktop');

  // What a phone wallet would read from the QR code: the invoice URI, which the guest wallet pays.
  const qrText = (await qr.getAttribute('data-qr-text')) ?? '';
  expect(qrText).toMatch(/^LIGHTNING:LNBCRT10U1/);
  const invoice = qrText.slice('LIGHTNING:'.length).toLowerCase();
  await expect(receive.getByTestId('receive-invoice')).toHaveValue(invoice);
  const payer = guestWallet();
  try {
    expect((await payer.payInvoice(invoice)).status).toBe('paid');
  } finally {
    payer.close();
  }

  await expect(receive.getByTestId('receive-status')).toContainText('Received 1,000 sats', { timeout: 15_000 });
  await expect(page.getByTestId('ledger-available')).toHaveText('101,000 sats');
  await expect(page.getByTestId('wallet-movements').locator('tr[data-kind="receipt"]')).toContainText('+1,000 sats');
  await expect(page.getByTestId('reconciliation')).toHaveAttribute('data-status', 'agree', { timeout: 20_000 });
  await shot(page, 'wallet-received-desktop');

  await page.setViewportSize({ width: 390, height: 780 });
  await page.reload();
  await expect(page.getByTestId('ledger-available')).toHaveText('101,000 sats');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'wallet-received-phone');
});

test('connects the guest wallet as their own with the password, sees its balance, and exports the movements as CSV', async ({ page }) => {
  await signUp(page, 'own-wallet');
  await openWallet(page);
  const own = page.getByTestId('own-wallet');
  await own.getByLabel('NWC connection string').fill('not a connection string');
  await own.getByRole('button', { name: 'Connect wallet' }).click();
  await expect(own.getByRole('alert')).toContainText('not an NWC connection string');

  await own.getByLabel('NWC connection string').fill(guestConnection());
  const connect = own.getByRole('button', { name: 'Connect wallet' });
  await connect.click();
  const dialog = page.getByTestId('guard-proof-dialog');
  await expect(dialog).toContainText('Confirm your own wallet');
  // A modal for the keyboard too: focus starts in it, Tab and Shift+Tab stay in it, Escape gives focus back.
  await expect(dialog.getByLabel('Your password')).toBeFocused();
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await dialog.evaluate((element) => element.contains(document.activeElement)), `after ${key}`).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(connect).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toContainText('Confirm your own wallet');
  // A wrong password is refused and focus is back in the field for the next try.
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Confirm and connect' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByText(/password/i).and(dialog.locator('.field-error'))).toBeVisible();
  await expect(dialog.getByLabel('Your password')).toBeFocused();
  await dialog.getByLabel('Your password').fill(PASSWORD);
  await shot(page, 'wallet-own-proof-desktop');
  await dialog.getByRole('button', { name: 'Confirm and connect' }).click();
  await expect(own).toHaveAttribute('data-source', 'own', { timeout: 20_000 });

  const guestBalance = await guestBalanceMsat();
  const sats = `${Math.floor(guestBalance / 1000).toLocaleString('en-US')} sats`;
  await expect(page.getByTestId('wallet-balance-amount')).toHaveText(sats, { timeout: 20_000 });
  await expect(page.getByTestId('ledger-available')).toHaveText(sats);
  await expect(page.getByTestId('reconciliation')).toHaveAttribute('data-status', 'agree');
  await expect(page.getByTestId('wallet-movements').locator('tr[data-kind="wallet_switch"]')).toHaveCount(2);
  await shot(page, 'wallet-own-desktop');

  const download = page.waitForEvent('download');
  await page.getByTestId('export-movements').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^steward-movements-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await file.path()) ?? '', 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe('date_utc,kind,status,amount_sat,fee_sat,provider,service,note,id');
  expect(lines.slice(1).map((line) => line.split(',').slice(1, 4).join(','))).toEqual([
    `wallet_switch,completed,${(guestBalance / 1000).toFixed(3)}`,
    'wallet_switch,completed,-100000.000',
    'welcome_credit,completed,100000.000',
  ]);

  await page.setViewportSize({ width: 390, height: 780 });
  await page.reload();
  await expect(page.getByTestId('own-wallet')).toHaveAttribute('data-source', 'own', { timeout: 20_000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'wallet-own-phone');
});

test('on a phone, a wallet whose relay is on a private address is refused at connect, and one that moves there later says what to do', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signUp(page, 'relay-refused');
  await page.goto('/wallet');
  const own = page.getByTestId('own-wallet');
  await own.getByLabel('NWC connection string').fill(`nostr+walletconnect://${'ab'.repeat(32)}?relay=ws://10.1.2.3:7000&secret=${'cd'.repeat(32)}`);
  await own.getByRole('button', { name: 'Connect wallet' }).click();
  // Refused before the password is asked: no proof can make that relay usable.
  await expect(own.getByRole('alert')).toContainText('local or private network address');
  await expect(page.getByTestId('guard-proof-dialog')).toHaveCount(0);
  await expect(own).toHaveAttribute('data-source', 'provisioned');
  await own.getByRole('alert').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/wallet-relay-refused-connect-phone.png' });

  // A relay that resolved to a public address at connect and to a private one since (DNS rebinding) is
  // refused by the socket guard; the server cannot be made to rebind here, so its status answer is set.
  await page.route(/\/api\/trpc\/[^?]*wallet\.status/, async (route) => {
    const response = await route.fetch();
    const procedures = new URL(route.request().url()).pathname.split('/').pop()?.split(',') ?? [];
    const body = (await response.json()) as { result: { data: unknown } }[];
    const refused = { state: 'unknown', reason: 'relay_not_allowed' };
    const answer = body[procedures.indexOf('wallet.status')];
    if (answer) answer.result.data = { source: 'own', connection: { state: 'unreachable', reason: 'relay_not_allowed' }, budget: null, balance: refused, reconciliation: null };
    await route.fulfill({ response, json: body });
  });
  await page.reload();
  const problem = page.getByTestId('wallet-balance').getByTestId('wallet-unreachable');
  await expect(problem).toContainText('Relay refused.');
  await expect(problem).toContainText('under Your own wallet, disconnect it, then connect it again');
  await expect(problem).not.toContainText('relay_not_allowed');
  // The bold lead flows with its sentence on one line, not squeezed into a column of its own.
  expect((await problem.locator('strong').boundingBox())?.height ?? 0).toBeLessThan(30);
  await expect(page.getByTestId('own-wallet').getByRole('button', { name: /Disconnect/ })).toBeVisible();
  // The connection card names the state without the whole explanation a second time.
  const connection = page.getByTestId('wallet-connection');
  await expect(connection).toContainText('not connected, its relay resolves to a local or private network address');
  await expect(connection).not.toContainText('Payments wait');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectNoSeriousAxeViolations(page, 'the relay refusal at 390 px');
  await shot(page, 'wallet-relay-refused-phone');
  await problem.screenshot({ path: 'test-results/screenshots/wallet-relay-refused-card-phone.png' });
});
