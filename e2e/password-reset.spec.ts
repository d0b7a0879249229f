import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { DESKTOP, enrollTotp, freshCode, PHONE, shot, signOut, signUp } from './support/session';

// A person who forgot their password gets back in through a reset link the operator prints on the
// server (`npm run operator:reset-link`): a new password, every session signed out, the old password
// refused, the reset in the security log; with 2FA on, the link alone is not enough. Desktop and 390 px.

const NEW_PASSWORD = 'copper-willow-heron-64';

/** What the operator runs on the server, against the e2e server's own data directory (playwright.config.ts). */
function operatorResetLink(email: string): string {
  const output = execFileSync('node_modules/.bin/tsx', ['server/cli/reset-link.ts', email], {
    env: {
      ...process.env,
      DATA_DIR: process.env.E2E_DATA_DIR ?? 'data/e2e',
      PORT: process.env.E2E_PORT ?? '5499',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
  });
  const link = output.trim();
  expect(link).toMatch(/\/reset-password#[0-9a-f-]+\.\d+\.[0-9a-f]{64}$/);
  return link;
}

async function signInWith(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectNoSideScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

test('a reset link sets a new password once and signs out every session', async ({ page, browser }) => {
  await page.setViewportSize(DESKTOP);
  const { email } = await signUp(page, 'reset');
  const other = await (await browser.newContext()).newPage();
  await signInWith(other, email, 'quiet-harbour-lantern-73');
  await expect(other.getByTestId('account-email')).toHaveText(email);
  await signOut(page);
  await expect(page.getByTestId('forgot-password')).toContainText('Ask this Steward');

  const link = operatorResetLink(email);
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await expect(page.getByText(`For ${email}.`)).toBeVisible();
  await expect(page.getByLabel('Authenticator code')).toHaveCount(0);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill('not-the-same-password-1');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByText('The two new passwords differ')).toBeVisible();
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await shot(page, 'reset-password-desktop');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByTestId('reset-done')).toBeVisible();

  // The other browser's session ended with it: its live stream closes and the app goes to sign-in by
  // itself (a reload here would race that navigation).
  await expect(other).toHaveURL(/\/signin$/);
  // Used once: the link now says so (from another page: the same URL would not load it again).
  await page.goto('/signin');
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('does not work any more');
  await signInWith(page, email, 'quiet-harbour-lantern-73');
  await expect(page.getByRole('alert')).toContainText('do not match');
  await signInWith(page, email, NEW_PASSWORD);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await page.goto('/security');
  await expect(page.getByText('Password reset with a link (every session signed out)')).toBeVisible();
  await expect(page.getByText('Password reset link issued by the operator')).toBeVisible();
});

test('on a phone, with 2FA on, the link also needs the authenticator', async ({ page }) => {
  await page.setViewportSize(PHONE);
  const { email } = await signUp(page, 'reset-2fa');
  const { secret, step } = await enrollTotp(page);
  await signOut(page);

  await page.goto(operatorResetLink(email));
  await expect(page.getByLabel('Authenticator code')).toBeVisible();
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter the 6-digit code');
  const { code } = await freshCode(secret, step);
  await page.getByLabel('Authenticator code').fill(code);
  await expectNoSideScroll(page);
  await shot(page, 'reset-password-phone-2fa');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByTestId('reset-done')).toBeVisible();

  await signInWith(page, email, NEW_PASSWORD);
  await expect(page.getByLabel('Authenticator code')).toBeVisible();
});
