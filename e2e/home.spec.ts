import { expect, test, type Page } from '@playwright/test';
import { enrollTotp, shot, signUp } from './support/session';

// Issue 14, journey 1: a new person follows the welcome (top-up through the sandbox checkout, default
// tiers kept, TOTP enrolled), clicks an example prompt, gets the answer auto-approved with a receipt,
// and the dashboard, open in another tab all along, shows the spend without a reload.

const step = (page: Page, name: string) => page.getByTestId(`step-${name}`);

/** From the Wallet page through the sandbox's hosted checkout, back to the top-up's page, until funded. */
async function topUpTenDollars(page: Page) {
  const topUp = page.getByTestId('top-up');
  await expect(topUp.getByRole('button', { name: '$10.00', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await topUp.getByRole('button', { name: 'Pay $10.00 with a card' }).click();
  await expect(page.getByTestId('sandbox-note')).toBeVisible();
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('CVC').fill('123');
  await page.getByLabel('Name on card').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Pay 10.00 USD' }).click();
  await expect(page.getByTestId('top-up-status')).toHaveAttribute('data-status', 'funded', { timeout: 20_000 });
}

test('a new person follows the welcome to a first paid answer, and the dashboard charts it live', async ({ page, context }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signUp(page, 'home');

  // The welcome says what Steward does and what the play sats are; only the wallet is done.
  const welcome = page.getByTestId('welcome');
  await expect(welcome).toContainText('never spends a sat you did not allow');
  await expect(page.getByTestId('welcome-money')).toContainText('play sats (you have 100,000 sats now)');
  for (const name of ['top_up', 'budget', 'two_factor', 'first_task']) await expect(step(page, name)).toHaveAttribute('data-state', 'todo');
  await expect(step(page, 'wallet')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('default-tiers')).toContainText('Up to $0.10 a task: paid on its own');
  await shot(page, 'home-welcome-1280');

  // A skip is kept on the server: it survives a reload, and can be taken back.
  await step(page, 'first_task').getByRole('button', { name: 'Skip for now' }).click();
  await expect(step(page, 'first_task')).toHaveAttribute('data-state', 'skipped');
  await page.reload();
  await expect(step(page, 'first_task')).toHaveAttribute('data-state', 'skipped');
  await step(page, 'first_task').getByRole('button', { name: 'Show this step again' }).click();
  await expect(step(page, 'first_task')).toHaveAttribute('data-state', 'todo');

  // Top up $10 through the sandbox checkout, from the welcome's link.
  await step(page, 'top_up').getByRole('link', { name: 'top up on the Wallet page' }).click();
  await topUpTenDollars(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Home/ }).click();
  await expect(step(page, 'top_up')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('home-balance')).toHaveText('109,700 sats');

  // Keep the default tiers, then enrol TOTP from the Security page the welcome links to.
  await step(page, 'budget').getByRole('button', { name: 'Keep these defaults' }).click();
  await expect(step(page, 'budget')).toHaveAttribute('data-state', 'done');
  await step(page, 'two_factor').getByRole('link', { name: 'Turn on two-factor' }).click();
  await expect(page).toHaveURL(/\/security$/);
  await enrollTotp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Home/ }).click();
  await expect(step(page, 'two_factor')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('month-total')).toContainText('in 0 payments');

  // The dashboard in a second tab, marked so that a reload would show (a reload drops the mark).
  const dashboard = await context.newPage();
  await dashboard.setViewportSize({ width: 1280, height: 900 });
  await dashboard.goto('/');
  await expect(dashboard.getByTestId('spend-empty')).toContainText('Nothing paid this month yet');
  await dashboard.evaluate(() => document.body.setAttribute('data-not-reloaded', 'yes'));

  // The first example prompt: answered, approved automatically, with a receipt.
  await step(page, 'first_task').getByRole('button', { name: 'Tell me a joke about bitcoin' }).click();
  await expect(page).toHaveURL(/\/chat$/);
  const task = page.getByTestId('task-card').last();
  await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(task.getByTestId('tier')).toContainText('Approved automatically');
  await expect(task.getByTestId('task-answer')).toContainText('joke');
  await expect(task.getByTestId('receipt-s1')).toContainText(/Paid 1 sat to Satoshi Jokes/);

  // The other tab's charts and figures followed live.
  await expect(dashboard.getByTestId('month-total')).toContainText('in 1 payment', { timeout: 15_000 });
  await expect(dashboard.getByTestId('spend-by-service')).toContainText('joke');
  await expect(dashboard.getByTestId('spend-by-day').locator('.recharts-bar-rectangle path')).toHaveCount(1);
  await expect(dashboard.getByTestId('home-tasks')).toContainText('Tell me a joke about bitcoin');
  await expect(dashboard.getByTestId('welcome')).toBeHidden();
  await expect(dashboard.locator('body')).toHaveAttribute('data-not-reloaded', 'yes');
  await shot(dashboard, 'home-dashboard-1280');

  // The same dashboard on a phone: one column, nothing wider than the screen.
  await dashboard.setViewportSize({ width: 390, height: 780 });
  await expect(dashboard.getByTestId('spend-by-service')).toContainText('joke');
  // The charts follow the new width when their resize observers fire, a frame or two later.
  await expect.poll(() => dashboard.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(dashboard, 'home-dashboard-390');
});

test('the welcome fits a phone, and a month with nothing paid loads no chart code', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.url());
  });
  await page.setViewportSize({ width: 390, height: 780 });
  await signUp(page, 'home-phone');
  await expect(page.getByTestId('step-budget')).toContainText('Keep these defaults');
  await expect(page.getByTestId('spend-empty')).toBeVisible();
  expect(scripts.some((url) => url.includes('/assets/HomePage-'))).toBe(true);
  expect(scripts.filter((url) => url.includes('SpendingCharts'))).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'home-welcome-390');
});
