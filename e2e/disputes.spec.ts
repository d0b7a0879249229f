import { expect, test, type Page } from '@playwright/test';
import { shot, signIn, signOut, signUp } from './support/session';

// Disputes: a purchase paid and not delivered (the sandbox's headlines answer 500 after payment, see
// playwright.config.ts) is refunded without anyone clicking; a person disputes a joke as low quality,
// an operator refunds half in the console, and the person sees the refund. Desktop and 390 px.

const OPERATOR_EMAIL = 'operator@steward.test';

async function ask(page: Page, text: string) {
  await page.goto('/chat');
  const input = page.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

const lastTask = (page: Page) => page.getByTestId('task-card').last();

for (const viewport of [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`${viewport.name}: paid and not delivered is refunded without anyone clicking`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await signUp(page, `nondelivery-${viewport.name}`);
    await ask(page, '3 bitcoin headlines');
    const task = lastTask(page);
    // 100 sats asks for a click: approving is the person's only click (the refund needs none).
    await task.getByRole('button', { name: 'Approve', exact: true }).click({ timeout: 30_000 });
    await expect(task).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
    await expect(task.getByTestId('task-failure')).toContainText('refunding it to your wallet automatically');
    await shot(page, `disputes-nondelivery-chat-${viewport.name}`);

    await page.goto('/disputes');
    const item = page.getByTestId('dispute-item').first();
    await expect(async () => {
      await page.reload();
      await expect(item).toHaveAttribute('data-status', 'refunded', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(item).toContainText('opened by Steward');
    await expect(item.getByTestId('dispute-refund')).toBeVisible();
    await item.getByText('Evidence').click();
    await expect(item).toContainText('HTTP 500');
    await shot(page, `disputes-nondelivery-list-${viewport.name}`);

    await page.goto('/wallet');
    await expect(page.getByTestId('wallet-movements').locator('tr[data-kind="refund"]')).toHaveCount(1);
    await shot(page, `disputes-nondelivery-wallet-${viewport.name}`);
    await page.goto('/activity');
    await expect(page.getByTestId('receipt-dispute').first()).toContainText('Refunded');
  });

  test(`${viewport.name}: a quality dispute refunded half by an operator`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const { email } = await signUp(page, `quality-${viewport.name}`);
    await ask(page, 'Tell me a joke');
    const task = lastTask(page);
    await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
    const receipt = task.getByTestId('receipt-s1');
    await receipt.getByRole('button', { name: 'Dispute' }).click();
    await task.getByLabel('What went wrong?').selectOption('wrong_or_low_quality');
    await task.getByLabel('Tell us more').fill('The joke was not funny at all');
    await expect(task.getByTestId('dispute-rules')).toContainText('% of what you paid this month');
    await shot(page, `disputes-form-${viewport.name}`);
    await task.getByRole('button', { name: 'Open dispute' }).click();
    await expect(task.getByTestId('judgement-s1')).toHaveText('Disputed');

    await signOut(page);
    await signIn(page, OPERATOR_EMAIL);
    await expect(page.getByTestId('account-email')).toHaveText(OPERATOR_EMAIL);
    await page.goto('/operator');
    const review = page.getByTestId('review-item').filter({ hasText: 'The joke was not funny at all' });
    await expect(review).toBeVisible();
    await shot(page, `disputes-operator-${viewport.name}`);
    await review.getByLabel('Partial refund (sats)').fill('0.5');
    await review.getByLabel('Note to the person').fill('Half back: the joke was weak.');
    await review.getByRole('button', { name: 'Refund part' }).click();
    await expect(review).toHaveCount(0);

    await signOut(page);
    await signIn(page, email);
    await expect(page.getByTestId('account-email')).toHaveText(email);
    await page.goto('/disputes');
    const item = page.getByTestId('dispute-item').first();
    await expect(async () => {
      await page.reload();
      await expect(item).toHaveAttribute('data-status', 'refunded', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(item.getByTestId('dispute-note')).toContainText('Half back');
    await shot(page, `disputes-refunded-${viewport.name}`);
    await page.goto('/alerts');
    await expect(page.getByText('Refund received').first()).toBeVisible();
  });
}

test('a person does not see the operator console', async ({ page }) => {
  await signUp(page, 'not-operator');
  await expect(page.getByRole('link', { name: /Disputes/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Operator console/ })).toHaveCount(0);
});
