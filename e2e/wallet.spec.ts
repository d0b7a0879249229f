import { expect, test } from '@playwright/test';
import { shot, signUp } from './support/session';

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
