import { expect, test } from '@playwright/test';
import { freshCode, PASSWORD, shot, signIn, signOut, totpCode } from './support/session';

// A new person signs up, turns on TOTP (codes computed from the secret the page shows), signs out and
// back in; a wrong password is asked for the code like the right one, and the refusal does not say
// which was wrong; wrong codes lock the second factor; a recovery code works exactly once.

test('sign up, enroll TOTP, sign in with codes, lock after wrong codes, recovery code works once', async ({ page }) => {
  test.setTimeout(180_000);
  const email = `ada.${Date.now()}@example.com`;

  // Signed-out visitors are sent to sign in.
  await page.goto('/budget');
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByTestId('mode-badge')).toHaveText(/Sandbox/);
  await shot(page, 'accounts-signin');

  // Sign-up validates inline before anything is sent.
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await expect(page.getByText('Use at least 12 characters.')).toBeVisible();
  await shot(page, 'accounts-signup-validation');

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Security/ }).click();

  // Enrollment: QR + secret shown; a wrong code is refused; the right one turns 2FA on.
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await shot(page, 'accounts-enroll');
  await page.getByLabel('Code from your app').fill('000000');
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await expect(page.getByText('That code is not right')).toBeVisible();
  let last = await freshCode(secret, 0);
  await page.getByLabel('Code from your app').fill(last.code);
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  const codes = page.getByTestId('recovery-codes').locator('code');
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  await shot(page, 'accounts-recovery-codes');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByTestId('two-factor-on')).toBeVisible();

  // Sign out, then back in with a fresh authenticator code.
  await signOut(page);
  last = await freshCode(secret, last.step);
  await signIn(page, email, { code: last.code });
  // Signing in lands on Home, like signing up.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Security/ }).click();
  await expect(page.getByTestId('audit-log')).toContainText('Two-factor turned on');
  await expect(page.getByTestId('audit-log')).toContainText('Two-factor code refused');
  await expect(page.getByTestId('sessions')).toContainText('This device');
  await shot(page, 'accounts-security');

  // A wrong password is asked for the code exactly as the right one is; with a valid code it is still
  // refused, and the answer does not say whether the password or the code was wrong.
  await signOut(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not-the-password-123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Authenticator code')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByLabel('Authenticator code').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Check your password and the code');
  await expect(page).toHaveURL(/\/signin$/);
  await shot(page, 'accounts-signin-refused');

  // A recovery code signs in once...
  const recovery = recoveryCodes[0] ?? '';
  // (sent to sign in from a deeper page, the person is taken back there, query included)
  await signIn(page, email, { recoveryCode: recovery }, '/activity?q=joke');
  await expect(page).toHaveURL(/\/activity\?q=joke$/);
  await signOut(page);

  // ...and never again (that refusal is the first wrong try).
  await signIn(page, email, { recoveryCode: recovery });
  await expect(page.getByRole('alert')).toContainText('Check your password and the recovery code');

  // Four more wrong codes lock the second factor; then even a right code is refused for a while.
  await page.getByRole('button', { name: 'Use my authenticator app instead' }).click();
  for (let i = 0; i < 4; i += 1) {
    await page.getByLabel('Authenticator code').fill(`12345${i}`);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    if (i < 3) await expect(page.getByRole('alert')).toContainText('Check your password and the code');
  }
  await expect(page.getByRole('alert')).toContainText('Too many wrong codes');
  last = await freshCode(secret, last.step);
  await page.getByLabel('Authenticator code').fill(last.code);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Too many wrong codes');
  await expect(page).toHaveURL(/\/signin$/);
  await shot(page, 'accounts-locked');
});

test('phone-sized sign-in page', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 780 });
  await page.goto('/signin');
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('wrong-password-here');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');
  await shot(page, 'accounts-signin-phone');
});
