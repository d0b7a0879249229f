import { expect, test, type Locator, type Page } from '@playwright/test';
import { askInChat, shot, signUp } from './support/session';

// Cancel midway: the sandbox's summarise answers 2 s after payment (SANDBOX_SLOW_SERVICES in
// playwright.config.ts), so a two-step task can be cancelled after step 1 was paid and before step 2.

const TEXT =
  'Lightning payments settle in seconds and cost a few sats. Channels need liquidity on both sides, so routing nodes ' +
  'rebalance them often. Wallets hide most of this from people. Merchants like that refunds are simple. Some people ' +
  'still prefer on-chain payments for large amounts, because they want the security of the base layer.';

interface Receipt {
  outcome: string;
  serviceId: string;
}

async function receipts(page: Page): Promise<Receipt[]> {
  const response = await page.request.get('/api/trpc/activity.list');
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { result: { data: Receipt[] } }).result.data;
}

test('cancelling a task midway keeps the paid step and pays nothing more', async ({ page }) => {
  await signUp(page, 'cancel');
  await page.goto('/chat');

  const input = page.getByTestId('chat-input');
  await input.fill(`Summarise this text and translate the summary to Spanish: ${TEXT}`);
  await input.press('Enter');
  const task = page.getByTestId('task-card').last();
  // Two steps: the translation takes the summary as its input.
  await expect(task.getByTestId('step-s2')).toBeVisible({ timeout: 30_000 });
  await expect(task.getByTestId('step-s1')).toContainText('summarise');
  await expect(task.getByTestId('step-s2')).toContainText('translate');
  const approve = task.getByRole('button', { name: 'Approve', exact: true });
  await expect(task).toHaveAttribute('data-status', /running|awaiting_approval/, { timeout: 30_000 });
  if ((await task.getAttribute('data-status')) === 'awaiting_approval') await approve.click();

  // Step 1 is paid and the provider is still working on it: now cancel.
  await expect.poll(async () => (await receipts(page)).map((r) => `${r.serviceId}:${r.outcome}`), { timeout: 20_000, intervals: [50] }).toEqual([
    'wordsmith/summarise:paid',
  ]);
  await expect(task.getByTestId('step-s1')).toHaveAttribute('data-status', 'paying');
  await task.getByRole('button', { name: 'Cancel task' }).click();
  await expect(task).toHaveAttribute('data-status', 'cancelled');
  await expect(task.getByTestId('step-s2')).toHaveAttribute('data-status', 'cancelled');

  // The paid step still delivers and keeps its receipt; the second is never paid.
  await expect(task.getByTestId('step-s1')).toHaveAttribute('data-status', 'delivered', { timeout: 15_000 });
  await expect(task.getByTestId('receipt-s1')).toContainText('Paid');
  await expect(task.getByTestId('receipt-s2')).toHaveCount(0);
  await expect(task.getByTestId('task-failure')).toContainText('You cancelled this task.');
  await shot(page, 'cancel-midway-chat');

  // Activity: exactly one payment, for the summary, delivered. Nothing more arrives later.
  await page.goto('/activity');
  const rows = page.getByTestId('activity-receipts').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('summarise');
  await expect(rows.first()).toContainText('Delivered');
  // The amount and its fee, both right-aligned side by side, keep a gutter between them however
  // tight the columns are (with only the table's 8 px, "1 sat" and "2 sats" read as one figure).
  const gutter = await rows.first().locator('td.amount').nth(1).evaluate((fee) => parseFloat(getComputedStyle(fee).paddingLeft));
  expect(gutter, 'the amount and the fee read as one figure').toBeGreaterThanOrEqual(16);
  await shot(page, 'cancel-midway-activity');
  await page.waitForTimeout(2_500);
  expect((await receipts(page)).map((r) => `${r.serviceId}:${r.outcome}`)).toEqual(['wordsmith/summarise:delivered']);

  // The wallet agrees with the ledger after the one payment (amount and routing fee).
  await page.goto('/wallet');
  await expect(page.getByTestId('wallet-movements').locator('tr[data-kind="payment"]')).toHaveCount(1);
  // The provider by its name, as the chat card and Activity name it (not its id, wordsmith).
  await expect(page.getByTestId('wallet-movements').locator('tr[data-kind="payment"]')).toContainText('summarise · Wordsmith');
  await expect(page.getByTestId('reconciliation')).toHaveAttribute('data-status', 'agree', { timeout: 20_000 });
  await shot(page, 'cancel-midway-wallet');
});

/**
 * The button is on screen and nothing lies over it: the topmost element at its centre is the button,
 * and a trial click (every actionability check, no click) succeeds at once, not once a toast has gone.
 */
async function expectUncovered(button: Locator) {
  await button.scrollIntoViewIfNeeded();
  await expect(button).toBeInViewport();
  const onTop = await button.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return hit !== null && element.contains(hit);
  });
  expect(onTop, 'something covers the button').toBe(true);
  await button.click({ trial: true, timeout: 1_000 });
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 720 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`${viewport.name}: the toast of a waiting approval never covers the card's Cancel or Approve, nor a navigation link`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await signUp(page, `cancel-toast-${viewport.name}`);
    // A joke first (approved automatically, and told as a toast), so the next card sits lower in a
    // scrolled chat, as after a few questions; then 100 sats asks for a click: that task waits, and
    // its approval_waiting alert is a second toast.
    await expect(await askInChat(page, 'Tell me a joke')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
    const task = await askInChat(page, '3 bitcoin headlines');
    await expect(task).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
    await expect(page.getByTestId('toast').first()).toBeVisible();
    // The newest toast (the waiting approval) is the one fully in sight, first in the stack.
    const waiting = page.getByTestId('toast').filter({ hasText: 'waiting for your approval' });
    await expect(page.getByTestId('toast').first()).toContainText('waiting for your approval');
    await expect(waiting).toBeInViewport({ ratio: 0.95 });
    const cancel = task.getByRole('button', { name: 'Cancel task' });
    await expectUncovered(cancel);
    await expectUncovered(task.getByRole('button', { name: 'Approve', exact: true }));
    // Nor a link of the navigation (on a desktop the toasts sit at the foot of its column, where the
    // last links, Security and Account, used to be hidden under them; on a phone, in the open menu).
    const nav = page.getByRole('navigation', { name: 'Main' });
    if (viewport.name === 'phone') await page.getByRole('button', { name: 'Menu' }).click();
    for (const link of await nav.getByRole('link').all()) await expectUncovered(link);
    if (viewport.name === 'phone') await page.getByRole('button', { name: 'Menu' }).click();
    await expect(page.getByTestId('toast').first()).toBeVisible();
    // The screen as seen (a full-page shot would draw the fixed toasts where they are not).
    await page.screenshot({ path: `test-results/screenshots/cancel-toast-${viewport.name}.png` });
    // While the toast still shows, the click lands on Cancel.
    await expect(page.getByTestId('toast').first()).toBeVisible();
    await cancel.click({ timeout: 1_000 });
    await expect(task).toHaveAttribute('data-status', 'cancelled');
  });
}
