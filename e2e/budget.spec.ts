import { expect, test, type Page } from '@playwright/test';
import { enrollTotp, freshCode, PASSWORD, shot, signUp, totpCode } from './support/session';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '../shared/http';

// Budget governance in the browser: the settings form with friendly validation, the gauge with the
// alert thresholds marked, an approval in the inbox, the alerts centre (list, mark read), and the
// proof a change that loosens the guard needs (the password without 2FA, a fresh code with it), also
// for a new time zone.

/** Starts a task through the API with the browser's session (and the CSRF header the server requires). */
async function submitTask(page: Page, text: string) {
  const response = await page.request.post('/api/trpc/tasks.submit', { data: { text }, headers: { [CSRF_HEADER]: CSRF_HEADER_VALUE } });
  expect(response.ok()).toBe(true);
}

test('budget settings validate kindly, the gauge marks thresholds, approvals and alerts work', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, 'budget');
  await page.getByRole('link', { name: /Budget/ }).click();
  await expect(page.getByRole('heading', { name: 'Budget', level: 1 })).toBeVisible();
  await expect(page.getByTestId('budget-gauge')).toContainText('No monthly limit is set');

  // Friendly validation: one error read in the browser, others from the server's rules.
  const limit = page.getByTestId('monthly-limit');
  await limit.getByRole('combobox').selectOption('usd');
  await limit.getByRole('textbox').fill('twenty');
  await page.getByTestId('auto-max').fill('6');
  await page.getByTestId('alert-thresholds').fill('80, 50');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  await expect(limit).toContainText('Enter an amount in dollars, like 20 or 20.50.');
  await limit.getByRole('textbox').fill('20');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  await expect(page.getByText('The confirm limit must be at least the auto-approve limit.')).toBeVisible();
  await expect(page.getByText('List alert thresholds from lowest to highest.')).toBeVisible();
  await expect(page.getByTestId('confirm-max')).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'budget-validation');

  // Valid settings: ask before any spend (auto 0), thresholds edited.
  await page.getByTestId('auto-max').fill('0');
  await page.getByTestId('alert-thresholds').fill('25, 50, 100');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const gauge = page.getByTestId('budget-gauge');
  await expect(gauge).toContainText('$20.00');
  for (const threshold of [25, 50, 100]) await expect(gauge.getByTestId(`gauge-threshold-${threshold}`)).toHaveCount(1);
  await expect(gauge.getByTestId('gauge-threshold-80')).toHaveCount(0);
  await expect(page.getByRole('meter', { name: 'Monthly budget used' })).toHaveAttribute('aria-valuenow', '0');
  await shot(page, 'budget-settings-gauge');

  // A task now waits for approval: it shows in the inbox, and an alert is stored.
  await submitTask(page, 'tell me a joke about bitcoin');
  await page.getByRole('link', { name: /Approvals/ }).click();
  const card = page.getByTestId('approval-card').first();
  await expect(card).toBeVisible({ timeout: 30_000 });
  await expect(card).toContainText('Needs your confirmation');
  await expect(card.getByRole('table', { name: 'Steps and their prices' })).toBeVisible();
  await shot(page, 'approvals-inbox');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('no-pending-approvals')).toBeVisible();

  // The alerts centre lists it, already marked done since it was answered; a second waiting request's
  // alert stays unread until it is marked read by hand.
  await page.getByRole('link', { name: /Alerts/ }).click();
  const waitingAlerts = page.getByTestId('alert-item').filter({ hasText: 'A payment is waiting for your approval' });
  await expect(waitingAlerts.first()).toHaveAttribute('data-unread', 'false');
  await submitTask(page, 'tell me a joke about lightning');
  await expect(waitingAlerts).toHaveCount(2, { timeout: 30_000 });
  const waiting = waitingAlerts.first();
  await expect(waiting).toHaveAttribute('data-unread', 'true');
  await shot(page, 'alerts-unread');
  await waiting.getByRole('button', { name: /Mark as read/ }).click();
  await expect(waiting).toHaveAttribute('data-unread', 'false');
  await page.getByLabel('Show unread only').check();
  await expect(page.getByTestId('alert-item').filter({ hasText: 'A payment is waiting for your approval' })).toHaveCount(0);
  await shot(page, 'alerts-read');

  // Without 2FA a tier cannot go above $5 at all: the page says why and links to turning 2FA on.
  await page.getByRole('link', { name: /Budget/ }).click();
  await page.getByTestId('confirm-max').fill('6');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  const needsTwoFactor = page.getByTestId('tier-needs-two-factor');
  await expect(needsTwoFactor).toHaveAttribute('role', 'alert');
  await expect(needsTwoFactor.getByRole('link', { name: 'Turn on two-factor authentication' })).toHaveAttribute('href', '/security');
  await expect(page.getByTestId('guard-proof-dialog')).toHaveCount(0);
  await shot(page, 'budget-tier-needs-2fa');

  // Raising the auto-approve limit loosens the guard: it asks for the password, and says why.
  await page.getByTestId('confirm-max').fill('5');
  await page.getByTestId('auto-max').fill('1');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  const guard = page.getByRole('dialog', { name: 'Confirm loosening your spending guard' });
  await expect(guard).toContainText('Raises what the agent pays without asking from $0.00 to $1.00.');
  await guard.getByLabel('Your password').fill('not-my-password');
  await guard.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(guard).toContainText('That password is not right.');
  await shot(page, 'budget-loosen-password');
  await guard.getByLabel('Your password').fill(PASSWORD);
  await guard.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(guard).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // A new time zone moves the budget month (a zone further east opens next month's budget early):
  // it takes the same proof, and Security shows the zone before and after.
  const zone = page.getByTestId('time-zone');
  await zone.fill('Pacific/Kiritimati');
  await page.getByRole('button', { name: 'Change time zone' }).click();
  await expect(guard).toContainText('Moves when your budget month starts and ends');
  await shot(page, 'budget-time-zone-proof');
  await guard.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(guard).toContainText('Enter your password');
  await guard.getByLabel('Your password').fill(PASSWORD);
  await guard.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(guard).toBeHidden();
  await expect(zone).toHaveValue('Pacific/Kiritimati');
  await page.getByRole('link', { name: /Security/ }).click();
  const moved = page.getByTestId('audit-settings-change').first();
  await expect(moved).toContainText('Time zone: Pacific/Kiritimati');
  await expect(moved).toContainText('time zone changed (confirmed with the password)');
});

test('an over-budget spend needs a reason and a fresh authenticator code in the approval dialog', async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, 'budget');
  const enrolled = await enrollTotp(page);

  // A 5-sat monthly limit: any paid step goes over it.
  await page.getByRole('link', { name: /Budget/ }).click();
  const limit = page.getByTestId('monthly-limit');
  await limit.getByRole('combobox').selectOption('sat');
  await limit.getByRole('textbox').fill('5');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await submitTask(page, 'tell me a joke about bitcoin');
  await page.getByRole('link', { name: /Approvals/ }).click();
  const card = page.getByTestId('approval-card').first();
  await expect(card).toHaveAttribute('data-kind', 'overage_required', { timeout: 30_000 });
  await expect(card).toContainText('over your monthly budget');
  await card.getByRole('button', { name: 'Approve' }).click();

  const dialog = page.getByRole('dialog', { name: 'Approve going over budget' });
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('approve-code').fill('000000');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toContainText('Say why this spend may go over your monthly budget.');
  await dialog.getByLabel('Why may this go over budget?').fill('Testing the overage path');
  const wrong = totpCode(enrolled.secret) === '000000' ? '111111' : '000000';
  await dialog.getByTestId('approve-code').fill(wrong);
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toContainText('That code is not right.');
  await shot(page, 'approvals-overage-dialog');

  const fresh = await freshCode(enrolled.secret, enrolled.step);
  await dialog.getByTestId('approve-code').fill(fresh.code);
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('no-pending-approvals')).toBeVisible();
  await expect(page.getByTestId('recent-approvals')).toContainText('Approved');
  await shot(page, 'approvals-after-overage');

  // Removing the limit loosens the guard: with 2FA on it takes a fresh code, and Security shows the change.
  await page.getByRole('link', { name: /Budget/ }).click();
  await page.getByTestId('monthly-limit').getByRole('combobox').selectOption('none');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  const guard = page.getByRole('dialog', { name: 'Confirm loosening your spending guard' });
  await expect(guard).toContainText('Removes your monthly limit (5 sats).');
  const next = await freshCode(enrolled.secret, fresh.step);
  await guard.getByLabel('Code from your authenticator app').fill(next.code);
  await guard.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(guard).toBeHidden();
  await expect(page.getByTestId('budget-gauge')).toContainText('No monthly limit is set');
  await page.getByRole('link', { name: /Security/ }).click();
  const change = page.getByTestId('audit-settings-change').first();
  await expect(change).toContainText('Monthly limit: 5 sats');
  await expect(change).toContainText('Monthly limit: no limit');
  await expect(change).toContainText('monthly limit removed (confirmed with an authenticator code)');
  await shot(page, 'security-settings-change');
});

test('the Budget page, its proof dialog and the Security audit fit a phone, with data in them', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 780 });
  await signUp(page, 'budget-phone');
  await page.goto('/budget');
  const limit = page.getByTestId('monthly-limit');
  await limit.getByRole('combobox').selectOption('usd');
  await limit.getByRole('textbox').fill('20');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // Removing the limit loosens the guard: the proof dialog, thumb-reachable, on a phone.
  await limit.getByRole('combobox').selectOption('none');
  await page.getByRole('button', { name: 'Save budget settings' }).click();
  const guard = page.getByTestId('guard-proof-dialog');
  await expect(guard).toContainText('Confirm loosening your spending guard');
  await expect(guard.getByRole('button', { name: 'Confirm and save' })).toBeInViewport();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'budget-proof-phone');
  await guard.getByLabel('Your password').fill(PASSWORD);
  await guard.getByRole('button', { name: 'Confirm and save' }).click();
  await expect(guard).toBeHidden();

  await page.goto('/security');
  const change = page.getByTestId('audit-settings-change').first();
  await expect(change).toContainText('Monthly limit: no limit');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'security-audit-phone');
});
