import { expect, test, type Page } from '@playwright/test';
import { askInChat, DESKTOP, PHONE, shot, signUp } from './support/session';

// A spend that waits for the person while Steward's tab is in the background: once they opted in on the
// Alerts page, the browser shows it as a notification, and the tab's title counts what waits. The real
// Notification API (permission granted to the context) is wrapped so the test can read what was shown,
// and the tab is made to read as hidden, as a background tab does. Desktop and 390 px.

test.use({ permissions: ['notifications'] });

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    const shown: { title: string; body: string | undefined }[] = [];
    const w = window as unknown as { __shown: typeof shown; __hidden: boolean };
    w.__shown = shown;
    w.__hidden = false;
    window.Notification = new Proxy(window.Notification, {
      construct(target, args: [string, NotificationOptions?]) {
        shown.push({ title: args[0], body: args[1]?.body });
        return Reflect.construct(target, args) as object;
      },
    });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (w.__hidden ? 'hidden' : 'visible') });
  });
});

const shownTitles = (page: Page) => page.evaluate(() => (window as unknown as { __shown: { title: string }[] }).__shown.map((n) => n.title));

test('a spend waiting for a click notifies a background tab, and the title counts it', async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signUp(page, 'notify');
  await page.goto('/alerts');
  const setting = page.getByTestId('browser-notifications');
  await expect(setting).toHaveAttribute('data-state', 'off');
  await setting.getByRole('button', { name: 'Notify me in this browser' }).click();
  await expect(setting).toHaveAttribute('data-state', 'on');
  await expect(page).toHaveTitle('Alerts · Steward');

  // In view: the toast shows it, no notification. A cheap joke is approved automatically, with an alert.
  const cheap = await askInChat(page, 'Tell me a joke about bitcoin');
  await expect(cheap).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(page.getByTestId('toast').first()).toBeVisible();
  expect(await shownTitles(page)).toEqual([]);

  // In the background: 110 sats is over the automatic limit and waits for a click.
  await page.evaluate(() => void ((window as unknown as { __hidden: boolean }).__hidden = true));
  const medium = await askInChat(page, 'weather in Paris and London tomorrow and BTC price');
  await expect(medium).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
  await expect.poll(() => shownTitles(page)).toContainEqual(expect.stringMatching(/approv/i));
  await expect(page).toHaveTitle('(1) Chat · Steward');
  await shot(page, 'notifications-waiting');

  await medium.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(medium).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(page).toHaveTitle('Chat · Steward');

  // Turned off here, nothing more is shown.
  await page.evaluate(() => void ((window as unknown as { __hidden: boolean }).__hidden = false));
  await page.goto('/alerts');
  await page.getByRole('button', { name: 'Stop notifying me here' }).click();
  await expect(page.getByTestId('browser-notifications')).toHaveAttribute('data-state', 'off');
});

test('on a phone, the Alerts page offers notifications without widening the page', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signUp(page, 'notify-phone');
  await page.goto('/alerts');
  await expect(page.getByRole('button', { name: 'Notify me in this browser' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await shot(page, 'notifications-phone');
});
