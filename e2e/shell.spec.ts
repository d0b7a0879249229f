import { expect, test } from '@playwright/test';

test('the app shell loads and navigates between every area', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Chat' })).toBeVisible();
  await expect(page.getByTestId('mode-badge')).toHaveText(/Sandbox/);

  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const area of ['Approvals', 'Budget', 'Wallet', 'Activity', 'Alerts', 'Chat']) {
    await nav.getByRole('link', { name: new RegExp(area) }).click();
    await expect(page).toHaveURL(new RegExp(`/${area.toLowerCase()}$`));
    await expect(page.getByRole('heading', { level: 1, name: area })).toBeVisible();
  }
  await page.screenshot({ path: 'test-results/screenshots/shell-desktop.png', fullPage: true });

  // A deep link survives a reload (the server falls back to index.html).
  await page.goto('/budget');
  await expect(page.getByRole('heading', { level: 1, name: 'Budget' })).toBeVisible();
});

test('the shell works on a phone-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 780 });
  await page.goto('/chat');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav.getByRole('link', { name: /Wallet/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
  await expect(nav).toBeHidden();
  await page.screenshot({ path: 'test-results/screenshots/shell-phone.png' });
});
