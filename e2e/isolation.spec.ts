import { expect, test, type Page } from '@playwright/test';
import { askInChat, DESKTOP, PHONE, shot, signUp } from './support/session';

// Issue 14, journey 6: a second person, in another browser, sees none of the first person's data:
// not on any page, not through the API, and not live while the first person keeps working.

const SECRET_WORDS = 'purple walrus';

async function ask(page: Page, text: string, status: string | RegExp) {
  const task = await askInChat(page, text);
  await expect(task).toHaveAttribute('data-status', status, { timeout: 30_000 });
  return task;
}

test("a second person sees none of the first person's data, on any page or live", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await page.setViewportSize(DESKTOP);
  const alice = await signUp(page, 'isolation-alice');
  const joke = await ask(page, 'Tell me a joke about bitcoin', 'completed');
  await joke.getByTestId('receipt-s1').getByRole('button', { name: 'Dispute' }).click();
  await joke.getByLabel('What went wrong?').selectOption('wrong_or_low_quality');
  await joke.getByLabel('Tell us more').fill(`The ${SECRET_WORDS} joke was not funny`);
  await joke.getByRole('button', { name: 'Open dispute' }).click();
  await expect(joke.getByTestId('judgement-s1')).toHaveText('Disputed');
  await ask(page, 'weather in Paris and London tomorrow and BTC price', 'awaiting_approval');

  const other = await browser.newContext({ viewport: PHONE });
  const bob = await other.newPage();
  await signUp(bob, 'isolation-bob');
  const pages: [string, (p: Page) => Promise<void>][] = [
    ['/', async (p) => expect(p.getByTestId('home-balance')).toBeVisible()],
    ['/chat', async (p) => expect(p.getByText('Nothing asked yet')).toBeVisible()],
    ['/approvals', async (p) => expect(p.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible()],
    ['/activity', async (p) => expect(p.getByRole('heading', { level: 1, name: 'Activity' })).toBeVisible()],
    ['/disputes', async (p) => expect(p.getByRole('heading', { level: 1, name: 'Disputes' })).toBeVisible()],
    ['/alerts', async (p) => expect(p.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible()],
    ['/wallet', async (p) => expect(p.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible()],
  ];
  for (const [path, ready] of pages) {
    await bob.goto(path);
    await ready(bob);
    await expect(bob.locator('body')).not.toContainText(SECRET_WORDS);
    await expect(bob.locator('body')).not.toContainText(alice.email);
  }
  await expect(bob.getByTestId('approval-card')).toHaveCount(0);

  // Straight to the API with bob's session: his lists hold nothing of alice's.
  for (const path of ['tasks.list?input=%7B%22limit%22%3A30%7D', 'approvals.pending', 'disputes.list', 'alerts.list']) {
    const response = await bob.request.get(`/api/trpc/${path}`);
    expect(response.ok(), path).toBe(true);
    expect(await response.text(), path).not.toContain(SECRET_WORDS);
  }

  // Live: with bob's chat open, alice's next request (answered or not) never reaches his page.
  await bob.goto('/chat');
  await expect(bob.getByText('Nothing asked yet')).toBeVisible();
  await ask(page, `Another joke about a ${SECRET_WORDS}`, /completed|failed/);
  await expect(bob.getByTestId('task-card')).toHaveCount(0);
  await expect(bob.locator('body')).not.toContainText(SECRET_WORDS);
  await shot(bob, 'isolation-second-person-390');
  await other.close();
});
