import { expect, test, type Page } from '@playwright/test';
import { shot, signUp } from './support/session';

/** From the Wallet page through the sandbox's hosted checkout and back to the top-up's own page. */
async function topUpTenDollars(page: Page, card: string, screenshot?: string) {
  const topUp = page.getByTestId('top-up');
  await expect(topUp.getByRole('button', { name: '$10.00', exact: true })).toHaveAttribute('aria-pressed', 'true');
  // The locked rate and the spread, shown before paying (sandbox: $100,000/BTC, 3%).
  await expect(topUp.getByTestId('top-up-quote')).toHaveText('$10.00 buys 9,700 sats at $103,092/BTC incl. 3% fee');
  if (screenshot) await shot(page, screenshot);
  await topUp.getByRole('button', { name: 'Pay $10.00 with a card' }).click();
  await expect(page.getByTestId('sandbox-note')).toBeVisible();
  await expect(page.getByTestId('amount')).toHaveText('10.00 USD');
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('CVC').fill('123');
  await page.getByLabel('Name on card').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Pay 10.00 USD' }).click();
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 780 },
]) {
  test(`a new person tops up $10 with a card and sees the sats arrive without reloading (${viewport.name})`, async ({ page }) => {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await signUp(page, `topup-${viewport.name}`);
    await page.goto('/wallet');
    await expect(page.getByTestId('ledger-available')).toHaveText('100,000 sats');
    await topUpTenDollars(page, '4242 4242 4242 4242', `topup-wallet-${viewport.name}`);

    await expect(page).toHaveURL(/\/wallet\/top-ups\/tu_/);
    // A mark on this document: a reload would start a new one without it.
    await page.waitForLoadState('load');
    await page.evaluate(() => document.body.setAttribute('data-not-reloaded', 'yes'));
    const status = page.getByTestId('top-up-status');
    await expect(status).toHaveAttribute('data-status', 'funded', { timeout: 20_000 });
    await expect(status).toContainText('9,700 sats arrived in your wallet');
    await expect(page.getByTestId('top-up-balance')).toHaveText('109,700 sats');
    await expect(page.locator('body')).toHaveAttribute('data-not-reloaded', 'yes');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await shot(page, `topup-funded-${viewport.name}`);

    // The Wallet page's NWC balance agrees.
    await page.getByRole('link', { name: 'Back to the wallet' }).click();
    await expect(page.getByTestId('wallet-balance-amount')).toHaveText('109,700 sats', { timeout: 20_000 });
    await expect(page.getByTestId('wallet-movements').locator('tr[data-kind="top_up"]')).toContainText('+9,700 sats');
  });
}

test('a declined card leaves the top-up unpaid and the balance unchanged', async ({ page }) => {
  await signUp(page, 'topup-declined');
  await page.goto('/wallet');
  await topUpTenDollars(page, '4000 0000 0000 0002');
  await expect(page.getByRole('alert')).toHaveText('Your card was declined.');
  await page.getByRole('link', { name: 'Cancel and return' }).click();
  await expect(page.getByTestId('top-up-status')).toHaveAttribute('data-status', 'created');
  await expect(page.getByTestId('top-up-status')).toContainText('Not paid yet');
  await expect(page.getByTestId('top-up-balance')).toHaveText('100,000 sats');
  await shot(page, 'topup-declined');
});
