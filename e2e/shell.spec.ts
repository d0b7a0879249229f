import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousAxeViolations } from './support/axe';
import { PHONE, shot, signUp } from './support/session';

/** The first Tab shows 'Skip to the page' in full, filled in the accent with a solid ring, over the bar. */
async function expectSkipLinkShown(page: Page, screenshot: string) {
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the page' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport({ ratio: 1 });
  const style = await skip.evaluate((link) => {
    const css = getComputedStyle(link);
    return { background: css.backgroundColor, color: css.color, outline: css.outlineStyle, outlineWidth: parseFloat(css.outlineWidth) };
  });
  expect(style).toEqual({ background: 'rgb(18, 53, 91)', color: 'rgb(255, 255, 255)', outline: 'solid', outlineWidth: 3 });
  await page.screenshot({ path: `test-results/screenshots/${screenshot}.png`, clip: { x: 0, y: 0, width: 390, height: 120 } });
}

// Every area needs a signed-in person (e2e/accounts.spec.ts covers the account journeys themselves).

test('the app shell loads and navigates between every area', async ({ page }) => {
  await signUp(page, 'shell');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect(page.getByTestId('mode-badge')).toHaveText(/Sandbox/);
  // The keyboard's first stop skips the bar, the navigation and any toasts: the next is on the page.
  await expectSkipLinkShown(page, 'skip-link-desktop');
  await page.keyboard.press('Enter');
  await expect(page.locator('main#content')).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const area of ['Approvals', 'Budget', 'Wallet', 'Activity', 'Alerts', 'Services', 'Security', 'Chat']) {
    await nav.getByRole('link', { name: new RegExp(area) }).click();
    await expect(page).toHaveURL(new RegExp(`/${area.toLowerCase()}$`));
    await expect(page.getByRole('heading', { level: 1, name: area })).toBeVisible();
  }
  await shot(page, 'shell-desktop');

  // A deep link survives a reload (the server falls back to index.html).
  await page.goto('/budget');
  await expect(page.getByRole('heading', { level: 1, name: 'Budget' })).toBeVisible();
});

test('the shell works on a phone-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 780 });
  await signUp(page, 'shell');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expectSkipLinkShown(page, 'skip-link-phone');
  await page.goto('/chat');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  const menu = page.getByRole('button', { name: 'Menu' });
  // Opened, the menu takes focus (on the current page's link) and the page behind is out of the tab order.
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link', { name: /Chat/ })).toBeFocused();
  await nav.getByRole('link', { name: /Account/ }).focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('main') ?? null)).toBeNull();
  await shot(page, 'shell-phone-menu');
  await expectNoSeriousAxeViolations(page, 'the open menu at 390 px');
  // Escape closes it and gives focus back to the menu button.
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeFocused();
  // So does a tap on the dimmed strip beside the panel.
  await menu.click();
  await expect(nav).toBeVisible();
  await page.mouse.click(375, 500);
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  // And choosing a link.
  await menu.click();
  await nav.getByRole('link', { name: /Wallet/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  // And the browser's Back.
  await menu.click();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Chat' })).toBeVisible();
  await expect(nav).toBeHidden();
  // While it is open the long page behind does not scroll; closed, the same swipe scrolls it.
  await page.goto('/services');
  await expect(page.getByTestId('service').first()).toBeVisible();
  await menu.click();
  await page.mouse.move(375, 500);
  await page.mouse.wheel(0, 600);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  await page.keyboard.press('Escape');
  await page.mouse.wheel(0, 600);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  // Nothing on the page is wider than the phone: no sideways scrolling on any area.
  for (const path of ['/', '/chat', '/approvals', '/budget', '/wallet', '/activity', '/alerts', '/services', '/security']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
  }
  // The bar's controls, and the small choices of a long page, are a thumb's size (at least 40 px).
  await page.goto('/services');
  const service = page.getByTestId('service').first();
  for (const control of [
    page.getByRole('button', { name: 'Menu' }),
    page.getByRole('button', { name: 'Sign out', exact: true }).first(),
    service.getByRole('button', { name: 'Price history' }),
    service.locator('.preference label').first(),
  ]) {
    expect((await control.boundingBox())?.height ?? 0, await control.innerText()).toBeGreaterThanOrEqual(40);
  }
  const badge = page.getByTestId('mode-badge');
  await expect(badge).toBeVisible();
  expect(await badge.innerText()).toBe('Sandbox'); // the short form on a phone
  await page.screenshot({ path: 'test-results/screenshots/shell-phone.png' });
});

test('the signed-out pages pass axe at 390 px', async ({ page }) => {
  await page.setViewportSize(PHONE);
  for (const [path, name] of [['/signin', 'sign-in'], ['/signup', 'sign-up'], ['/reset-password', 'reset-password']] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoSeriousAxeViolations(page, `${path} at 390 px`);
    await shot(page, `shell-signed-out-${name}-phone`);
  }
});
