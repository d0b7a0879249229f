import { expect, test, type Locator, type Page } from '@playwright/test';
import { askInChat as ask, DESKTOP, enrollTotp, freshCode, shot, signUp } from './support/session';

// Issue 6's approval journeys, through the chat: a cheap request is approved automatically and the
// person is notified; a medium one waits for a click; a large one needs a valid authenticator code
// (a wrong one is refused); an over-budget one needs an overage authorization (code + reason); and
// the 80% budget alert arrives live, without a reload. Market prices: joke 1 sat, weather 50 sats,
// market report 5,000 sats; sandbox rate $100,000/BTC, so 1 sat = $0.001.

test('a cheap request is approved automatically and notified; a medium one waits for a click', async ({ page }) => {
  await signUp(page, 'approvals-tiers');
  const cheap = await ask(page, 'Tell me a joke about bitcoin');
  await expect(cheap).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(cheap.getByTestId('tier')).toContainText('Approved automatically');
  await shot(page, 'approvals-auto');
  // Notified: the alerts centre has it (the live toast is checked below, for the 80% alert).
  await page.getByRole('link', { name: /Alerts/ }).click();
  await expect(page.getByTestId('alert-item').filter({ hasText: 'Approved automatically' })).toHaveCount(1);
  await shot(page, 'approvals-auto-notified');

  // Two weather reports and a price: 110 sats ($0.11), over the $0.10 automatic limit.
  const medium = await ask(page, 'weather in Paris and London tomorrow and BTC price');
  await expect(medium).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await expect(medium.getByTestId('tier')).toContainText('Needs your confirmation');
  await expect(medium.getByText(/^Paid\b/)).toHaveCount(0);
  await shot(page, 'approvals-confirm-waiting');
  await medium.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(medium).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  // London's report reuses the token bought for Paris (same service): paid once, delivered twice.
  for (const step of ['s1', 's3']) await expect(medium.getByTestId(`receipt-${step}`)).toContainText('Paid');
  await expect(medium.getByTestId('receipt-s2')).toContainText('token for weather was reused');
  // The decision lists each service once, with its count, not "weather, weather, btc-price".
  await page.goto('/approvals');
  await expect(page.getByRole('row').filter({ hasText: 'weather in Paris and London' })).toContainText('weather ×2, btc-price');
});

test('a large request cannot proceed without a valid authenticator code', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, 'approvals-large');
  const { secret, step } = await enrollTotp(page);

  // The market report costs 5,000 sats ($5.00) plus a fee allowance: above the $5.00 confirm limit.
  const large = await ask(page, 'monthly market report');
  await expect(large).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await expect(large.getByTestId('tier')).toContainText('with a code');
  await large.getByRole('button', { name: 'Approve with code' }).click();
  await expect(large.getByRole('alert')).toContainText('Enter the 6-digit code');
  // Each refusal puts focus in the code, ready for the next try (not lost with the disabled button).
  await expect(large.getByLabel('Authenticator code')).toBeFocused();
  await large.getByLabel('Authenticator code').fill('000000');
  await large.getByRole('button', { name: 'Approve with code' }).click();
  await expect(large.getByRole('alert')).toContainText('That code is not right');
  await expect(large.getByLabel('Authenticator code')).toBeFocused();
  await expect(large).toHaveAttribute('data-status', 'awaiting_approval');
  await expect(large.getByText(/^Paid\b/)).toHaveCount(0);
  await shot(page, 'approvals-step-up-wrong-code');

  const fresh = await freshCode(secret, step);
  await large.getByLabel('Authenticator code').fill(fresh.code);
  await large.getByRole('button', { name: 'Approve with code' }).click();
  await expect(large).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(large.getByTestId('receipt-s1')).toContainText('Paid 5,000 sats');
  await shot(page, 'approvals-step-up-done');
});

test('an over-budget request needs an overage authorization, and the 80% alert arrives live', async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, 'approvals-overage');
  const { secret, step } = await enrollTotp(page);

  // A monthly limit of 100 sats, alert at 80%: the 5,000-sat report goes over it.
  await page.goto('/budget');
  const limit = page.getByTestId('monthly-limit');
  await limit.getByRole('combobox').selectOption('sat');
  await limit.getByRole('textbox').fill('100');
  await page.getByTestId('alert-thresholds').fill('80');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const over = await ask(page, 'monthly market report');
  await expect(over).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await expect(over.getByTestId('tier')).toContainText('Over your monthly budget');
  await over.getByLabel('Authenticator code').fill('123456');
  await over.getByRole('button', { name: 'Approve with code' }).click();
  await expect(over.getByRole('alert')).toContainText('Say why');
  await over.getByLabel('Why go over your monthly budget?').fill('Quarterly review needs the full report');
  await shot(page, 'approvals-overage');
  const fresh = await freshCode(secret, step);
  await over.getByLabel('Authenticator code').fill(fresh.code);
  await over.getByRole('button', { name: 'Approve with code' }).click();
  await expect(over).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(over.getByTestId('receipt-s1')).toContainText('Paid 5,000 sats');

  // The spend crossed 80% of the limit: the alert arrives while the page stays as it is.
  await expect(page.getByTestId('toast').filter({ hasText: '80% of your monthly budget used' })).toBeVisible();
  await shot(page, 'approvals-80-percent-alert');
});

test('a denied spend is told with the word on the button', async ({ page }) => {
  await signUp(page, 'approvals-deny');
  // 100 sats is over the $0.10 automatic limit: it waits for a click.
  const task = await ask(page, '3 bitcoin headlines');
  await expect(task).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await task.getByRole('button', { name: 'Deny' }).click();
  await expect(task).toHaveAttribute('data-status', 'failed');
  // The button said Deny and Approvals lists it as Denied: the card does not switch to "declined".
  await expect(task.getByTestId('task-failure')).toHaveText('You denied this spend; nothing was paid for it.');
  await page.goto('/approvals');
  await expect(page.getByText('Denied', { exact: true })).toBeVisible();
});

/** Presses `key` until `target` has focus (at most `max` times): proves the keyboard alone reaches it. */
async function pressUntilFocused(page: Page, key: 'Tab' | 'Shift+Tab', target: Locator, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  await expect(target, `${key} never reached it`).toBeFocused();
}


test('with the keyboard alone: ask in Chat, read the quote, approve in the card and under Approvals, read the answers', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(DESKTOP);
  await signUp(page, 'keyboard');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });

  // Tab to Chat in the navigation; the composer has focus on arrival.
  await pressUntilFocused(page, 'Tab', nav.getByRole('link', { name: /Chat/ }));
  await page.keyboard.press('Enter');
  const input = page.getByTestId('chat-input');
  await expect(input).toBeFocused();
  await page.keyboard.type('weather in Paris and London tomorrow and BTC price');
  await page.keyboard.press('Enter');
  const task = page.getByTestId('task-card').last();
  await expect(task).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await expect(task.getByTestId('quote')).toContainText('Needs your confirmation');

  // Back from the composer to the card's Approve; Space presses it. The buttons go, the card keeps focus.
  const approve = task.getByRole('button', { name: 'Approve', exact: true });
  await pressUntilFocused(page, 'Shift+Tab', approve, 10);
  await expect(approve).toHaveCSS('outline-style', 'solid');
  await page.keyboard.press('Space');
  await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(task).toBeFocused();
  await expect(task.getByTestId('task-answer')).toBeVisible();
  await shot(page, 'keyboard-chat-approved');
  // Tab goes on through the answer's receipts, inside the card.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="task-card"]') !== null)).toBe(true);

  // A second request, approved under Approvals: the answered card leaves, its list's heading takes focus.
  await pressUntilFocused(page, 'Tab', input);
  await page.keyboard.type('weather in Rome and Oslo tomorrow and BTC price');
  await page.keyboard.press('Enter');
  const second = page.getByTestId('task-card').last();
  await expect(second).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await pressUntilFocused(page, 'Shift+Tab', nav.getByRole('link', { name: /Approvals/ }), 60);
  await page.keyboard.press('Enter');
  const card = page.getByTestId('approval-card');
  await expect(card).toHaveCount(1);
  const approveHere = card.getByRole('button', { name: 'Approve' });
  await pressUntilFocused(page, 'Tab', approveHere);
  // A try that fails (the connection drops) is told, and the focus stays on Approve to try again.
  await page.route(/\/api\/trpc\/approvals\.approve/, (route) => route.abort(), { times: 1 });
  await page.keyboard.press('Enter');
  await expect(card.getByRole('alert')).toBeVisible();
  await expect(approveHere).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('no-pending-approvals')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Waiting for you' })).toBeFocused();
  await page.screenshot({ path: 'test-results/screenshots/keyboard-approvals-answered.png' });

  // And back to Chat to read it.
  await pressUntilFocused(page, 'Shift+Tab', nav.getByRole('link', { name: /Chat/ }), 60);
  await page.keyboard.press('Enter');
  await expect(second).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(second.getByTestId('task-answer')).toContainText('Rome');
});
