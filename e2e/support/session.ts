// The signed-in person every journey starts from: sign up, sign in and out, two-factor enrolment and
// authenticator codes computed from the secret the page shows (page-model helpers shared by the specs).
import { expect, type Locator, type Page } from '@playwright/test';
import { generateSync } from 'otplib';

export const PASSWORD = 'quiet-harbour-lantern-73';
/** The operator the e2e server makes at start (playwright.config.ts: OPERATOR_EMAIL, OPERATOR_PASSWORD = PASSWORD). */
export const OPERATOR_EMAIL = 'operator@steward.test';
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Sends `text` from the chat composer (opening Chat if needed) and returns the new task's card. */
export async function askInChat(page: Page, text: string): Promise<Locator> {
  if (!page.url().endsWith('/chat')) await page.goto('/chat');
  const input = page.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
  return page.getByTestId('task-card').last();
}

/** The month's exact usage in msat (pages show whole sats, rounded up as a charge: shared/money-display.ts). */
export async function usedMsat(page: Page): Promise<number> {
  const response = await page.request.get('/api/trpc/budget.status');
  return ((await response.json()) as { result: { data: { summary: { usedMsat: number } } } }).result.data.summary.usedMsat;
}

/** A full-page screenshot under test-results/screenshots, to look at after a run. */
export const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

/** An address nobody has used yet (the server keeps every account of the run). */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
}

/** Creates an account and waits on Home, where a new account lands with its welcome (signed in from here). */
export async function signUp(page: Page, prefix: string): Promise<{ email: string }> {
  const email = uniqueEmail(prefix);
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('welcome')).toBeVisible();
  return { email };
}

/**
 * Signs in from the sign-in page, with a second factor when the account has one. With `from`, the
 * person first opens that page and is sent to sign in from there (and is taken back after).
 */
export async function signIn(page: Page, email: string, factor?: { code?: string; recoveryCode?: string }, from?: string) {
  if (from) {
    await page.goto(from);
    await expect(page).toHaveURL(/\/signin$/);
  } else {
    await page.goto('/signin');
  }
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (!factor) return;
  await expect(page.getByLabel('Authenticator code')).toBeVisible();
  if (factor.recoveryCode) {
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(factor.recoveryCode);
  } else {
    await page.getByLabel('Authenticator code').fill(factor.code ?? '');
  }
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
  await expect(page).toHaveURL(/\/signin$/);
}

/** The authenticator code for this moment. */
export function totpCode(secret: string): string {
  return generateSync({ secret, epoch: Math.floor(Date.now() / 1000) });
}

/**
 * A code from a time step later than `afterStep`, waiting for the next step when needed: the server
 * accepts each step's code once (replay guard).
 */
export async function freshCode(secret: string, afterStep: number): Promise<{ code: string; step: number }> {
  let step = Math.floor(Date.now() / 30_000);
  while (step <= afterStep) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    step = Math.floor(Date.now() / 30_000);
  }
  return { code: totpCode(secret), step };
}

/**
 * Turns two-factor on from the Security page and puts the recovery codes away; returns the secret
 * and the time step whose code was used, for `freshCode`. Unless told the Security page is
 * already open (e.g. at `/security?then=…`), it opens it.
 */
export async function enrollTotp(page: Page, options: { alreadyOnSecurity?: boolean } = {}): Promise<{ secret: string; step: number }> {
  if (!options.alreadyOnSecurity) await page.goto('/security');
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  const { code, step } = await freshCode(secret, 0);
  await page.getByLabel('Code from your app').fill(code);
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await expect(page.getByTestId('recovery-codes')).toBeVisible();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByTestId('two-factor-on')).toBeVisible();
  return { secret, step };
}
