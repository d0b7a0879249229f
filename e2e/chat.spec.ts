import { expect, test, type Page } from '@playwright/test';
import { shot, signUp } from './support/session';

// The chat: a new person asks a cheap question and gets an answer with a receipt; a compound question
// shows each step's progress live; a task that waits for approval is cancelled and nothing is spent.

async function signUpToChat(page: Page, name: string) {
  await signUp(page, name);
  await page.goto('/chat');
  await expect(page.getByRole('heading', { name: 'Chat', level: 1 })).toBeVisible();
}

async function ask(page: Page, text: string) {
  const input = page.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

const lastTask = (page: Page) => page.getByTestId('task-card').last();

test('a cheap question gets an answer with a receipt, accepted or disputed', async ({ page }) => {
  await signUpToChat(page, 'chat-cheap');
  await expect(page.getByText('Nothing asked yet')).toBeVisible();

  // Shift+Enter is a new line, not a send.
  const input = page.getByTestId('chat-input');
  await input.fill('Tell me a joke');
  await input.press('Shift+Enter');
  await input.pressSequentially('about bitcoin');
  await expect(input).toHaveValue('Tell me a joke\nabout bitcoin');
  await input.press('Enter');

  const task = lastTask(page);
  await expect(page.getByTestId('user-message').last()).toHaveText(/Tell me a joke\s+about bitcoin/);
  await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(task.getByTestId('tier')).toContainText('Approved automatically');
  await expect(task.getByTestId('task-answer')).toContainText('joke');
  const receipt = task.getByTestId('receipt-s1');
  await expect(receipt).toContainText(/Paid 1 sat to Satoshi Jokes/);
  // Each value sits right under its label, even beside a taller one in the same row (the topic,
  // one word, used to float down to the middle of the punchline's height).
  const labelGaps = await task.getByTestId('result-s1').locator('.chat-facts > div').evaluateAll((facts) =>
    facts.map((fact) => {
      // The texts' own boxes (a stretched dt or dd box would hide the gap between them).
      const [label, value] = [fact.querySelector('dt'), fact.querySelector('dd')].map((e) => {
        const range = document.createRange();
        if (e) range.selectNodeContents(e);
        return range.getBoundingClientRect();
      });
      return (value?.top ?? 0) - (label?.bottom ?? 0);
    }),
  );
  expect(labelGaps.length).toBeGreaterThan(0);
  for (const gap of labelGaps) expect(gap, 'a value floats away from its label').toBeLessThanOrEqual(8);
  await shot(page, 'chat-cheap-answer');

  await receipt.getByRole('button', { name: 'Accept' }).click();
  await expect(task.getByTestId('judgement-s1')).toHaveText('Accepted');

  // History survives a reload.
  await page.reload();
  await expect(lastTask(page)).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('judgement-s1')).toHaveText('Accepted');
});

test('a task that ends before the live stream connects still shows how it ended', async ({ page }) => {
  await signUp(page, 'chat-slow-stream');
  // A slow network: the live stream connects seconds after the page, when this cheap task has already
  // been answered. The chat fetches the history again once the stream is up, so nothing is missed.
  await page.route(/\/api\/trpc\/tasks\.onUpdate/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await route.continue();
  });
  await page.goto('/chat');
  await expect(page.getByRole('heading', { name: 'Chat', level: 1 })).toBeVisible();
  await ask(page, 'Tell me a joke about bitcoin');
  await expect(lastTask(page)).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(lastTask(page).getByTestId('task-answer')).toContainText('joke');
});

test('a compound question shows each step progress live', async ({ page }) => {
  await signUpToChat(page, 'chat-compound');
  // Record every status the steps and the task pass through, as the browser renders them.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const note = (el: HTMLElement) => {
      if (el.dataset.status) seen.push(`${el.dataset.testid}:${el.dataset.status}`);
    };
    // A status can arrive on a changed attribute or on an element rendered with it already set
    // (a fast step may first appear as 'running'), so both are recorded.
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes') note(record.target as HTMLElement);
        for (const node of record.addedNodes) {
          if (!(node instanceof HTMLElement)) continue;
          note(node);
          node.querySelectorAll<HTMLElement>('[data-status]').forEach(note);
        }
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  });
  await ask(page, 'BTC price, fee estimate and a joke about bitcoin');
  const task = lastTask(page);
  await expect(task.getByTestId('step-s1')).toBeVisible({ timeout: 30_000 });
  await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  for (const step of ['s1', 's2', 's3']) await expect(task.getByTestId(`step-${step}`)).toHaveAttribute('data-status', 'delivered');
  await expect(task.getByTestId('quote')).toContainText('Total');
  for (const step of ['s1', 's2', 's3']) await expect(task.getByTestId(`receipt-${step}`)).toContainText('Paid');
  await shot(page, 'chat-compound-done');

  // Without any reload the page saw the task move through states and steps change one by one.
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(seen).toContain('task-card:running');
  expect(seen).toContain('task-card:completed');
  expect(seen.filter((s) => s.startsWith('step-s3:')).length).toBeGreaterThan(0);
  expect(seen.indexOf('step-s1:delivered')).toBeLessThan(seen.lastIndexOf('step-s3:delivered'));
});

test('cancelling a task stops it before any spending', async ({ page }) => {
  await signUpToChat(page, 'chat-cancel');
  // Two weather reports and a price: 110 sats, above the automatic limit, so it waits for a click.
  await ask(page, 'weather in Paris and London tomorrow and BTC price');
  const task = lastTask(page);
  await expect(task).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await expect(task.getByTestId('tier')).toContainText('Needs your confirmation');
  await shot(page, 'chat-awaiting-approval');
  await task.getByRole('button', { name: 'Cancel task' }).click();
  await expect(task).toHaveAttribute('data-status', 'cancelled');
  for (const step of ['s1', 's2', 's3']) await expect(task.getByTestId(`step-${step}`)).toHaveAttribute('data-status', 'cancelled');
  await expect(task.getByTestId('approval-controls')).toHaveCount(0);
  await expect(task.getByText(/^Paid\b/)).toHaveCount(0);
  await shot(page, 'chat-cancelled');

  // Nothing was paid: the Activity page has no receipts.
  const receipts = await page.request.get('/api/trpc/activity.list');
  expect(JSON.stringify(await receipts.json())).not.toContain('"amountMsat"');
});

test('the chat works on a phone-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUpToChat(page, 'chat-phone');
  await ask(page, 'Bitcoin price in euros');
  const task = lastTask(page);
  await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  // Nothing in the conversation is wider than its box (long values wrap; tables scroll inside their card).
  const overflowing = await page.evaluate(() =>
    [...document.querySelectorAll('.chat-page *')].filter((el) => !el.closest('.chat-table-wrap, .sr-only') && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0).map((el) => el.className),
  );
  expect(overflowing).toEqual([]);
  const composer = await page.getByTestId('chat-input').boundingBox();
  expect((composer?.x ?? 0) + (composer?.width ?? 0)).toBeLessThanOrEqual(page.viewportSize()?.width ?? 390);
  await shot(page, 'chat-phone');
});
