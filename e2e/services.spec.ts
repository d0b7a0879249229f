import { expect, test, type Page } from '@playwright/test';
import { shot, signUp } from './support/session';

// The Services page: the catalog with prices and rules; a blocked service is left out of planning.

const service = (page: Page, id: string) => page.locator(`[data-testid="service"][data-service-id="${id}"]`);

test('the catalog shows providers and prices; a blocked service is never planned', async ({ page }) => {
  await signUp(page, 'services');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Services/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Services' })).toBeVisible();

  // The sandbox market is one address serving six providers and ten services.
  await expect(page.getByTestId('provider')).toHaveCount(1);
  await expect(page.getByTestId('provider').getByTestId('provider-status')).toContainText('Online');
  await expect(page.getByTestId('provider-services')).toHaveCount(6);
  const joke = service(page, 'satoshi-jokes/joke');
  await expect(joke.getByTestId('service-price')).toHaveText('1 sat (less than 1 cent)');
  await expect(service(page, 'block-data/btc-price').getByTestId('service-price')).toHaveText('10 sats ($0.01)');
  await expect(joke.getByRole('radio', { name: 'Follow my tiers' })).toBeChecked();

  await joke.getByRole('button', { name: 'Price history' }).click();
  await expect(joke.getByTestId('price-history').locator('li')).toHaveCount(1);
  await expect(joke.getByTestId('price-history')).toContainText('1 sat');

  // Adding a provider: the server checks the address and answers in words a person can act on.
  const url = page.getByTestId('provider-url');
  await url.fill('not a web address');
  await page.getByRole('button', { name: 'Add provider' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter an http(s) address of an L402 provider.');
  await url.fill('http://10.0.0.1/');
  await page.getByRole('button', { name: 'Add provider' }).click();
  await expect(page.getByRole('alert')).toContainText('not on the public internet');
  await expect(page.getByTestId('provider')).toHaveCount(1);

  await joke.getByRole('radio', { name: 'Block' }).check();
  await expect(joke.getByText('blocked', { exact: true })).toBeVisible();
  await expect(joke.getByRole('radio', { name: 'Block' })).toBeChecked();
  await shot(page, 'services-joke-blocked');

  // The rule holds across a reload, and the Budget page lists it as a rule too.
  await page.reload();
  await expect(service(page, 'satoshi-jokes/joke').getByRole('radio', { name: 'Block' })).toBeChecked();
  await page.goto('/budget');
  const rule = page.getByTestId('service-rule');
  await expect(rule).toHaveCount(1);
  await expect(rule.getByLabel('Service', { exact: true })).toHaveValue('satoshi-jokes/joke');
  await expect(rule.getByLabel('Rule', { exact: true })).toHaveValue('block');

  await page.goto('/chat');
  const input = page.getByTestId('chat-input');
  await input.fill('Tell me a joke about bitcoin');
  await input.press('Enter');
  const task = page.getByTestId('task-card').last();
  await expect(task).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  // With the joke service out of its catalog the agent cannot place the request: it stops and asks,
  // offering only services that are not blocked, and pays nothing.
  await expect(task).toContainText(/I am not sure which service|No catalogued service can help/);
  await expect(task).not.toContainText(/Did you mean[^?]*\bjoke\b/);
  await expect(task).not.toContainText('Satoshi Jokes');
  await expect(task.getByTestId('receipt-s1')).toHaveCount(0);
  await shot(page, 'services-blocked-chat');

  // Nothing was paid.
  await page.goto('/activity');
  await expect(page.getByTestId('activity-empty')).toBeVisible();
});

// Reputation is counted over every person's purchases, and other specs share the server: compare before and after.
async function paidJokeCalls(page: Page): Promise<number> {
  await page.goto('/services');
  const line = service(page, 'satoshi-jokes/joke').getByTestId('service-reputation');
  await expect(line).toContainText('Last 30 days');
  const text = (await line.textContent()) ?? '';
  return Number(/(\d+) paid calls?/.exec(text)?.[1] ?? 0);
}

test("each service shows its provider's record of the last 30 days, and a paid call counts in it", async ({ page }) => {
  await signUp(page, 'services-reputation');
  const before = await paidJokeCalls(page);
  await page.goto('/chat');
  const input = page.getByTestId('chat-input');
  await input.fill('Tell me a joke about bitcoin');
  await input.press('Enter');
  await expect(page.getByTestId('task-card').last()).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  expect(await paidJokeCalls(page)).toBe(before + 1);
  const line = service(page, 'satoshi-jokes/joke').getByTestId('service-reputation');
  await expect(line).toContainText('% not delivered');
  await shot(page, 'services-reputation');
});

test('the Services page fits a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 780 });
  await signUp(page, 'services');
  await page.goto('/services');
  await expect(page.getByTestId('provider-services').first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'services-phone');
});
