import { expect, test } from '@playwright/test';
import { PASSWORD, shot, signUp } from './support/session';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } };

test('an agent key is made (shown once), opens /mcp, and once revoked opens nothing', async ({ page }) => {
  await signUp(page, 'agent-keys');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Agent keys/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agent keys' })).toBeVisible();

  await page.getByLabel('Name').fill('Claude Desktop');
  await page.getByLabel('Monthly cap (sats)').fill('2000');
  await page.getByLabel('Per-call cap (sats)').fill('200');
  await page.getByRole('button', { name: 'Create key' }).click();
  // A key outlives the session, so making one takes the password (2FA is off here).
  const proof = page.getByTestId('guard-proof-dialog');
  await proof.getByTestId('guard-proof').fill(PASSWORD);
  await proof.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByTestId('new-agent-key');
  await expect(shown).toHaveText(/^stw_[A-Za-z0-9_-]{40,}$/);
  const secret = (await shown.textContent()) ?? '';
  const row = page.getByTestId('agent-key').filter({ hasText: 'Claude Desktop' });
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row).toContainText('spent 0 sats of 2,000 sats this month');
  await expect(row).toContainText('always asks');
  await shot(page, 'agent-keys-desktop');

  // The key works as a bearer token at /mcp (the agent's side).
  const opened = await page.request.post('/mcp', { headers: { authorization: `Bearer ${secret}`, accept: 'application/json, text/event-stream' }, data: INITIALIZE });
  expect(opened.status()).toBe(200);

  // Shown once: after "copied" it is gone, and a reload never brings it back.
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByTestId('new-agent-key')).toHaveCount(0);
  await page.reload();
  await expect(row).toContainText('last used');
  await expect(page.locator('body')).not.toContainText(secret);

  await page.setViewportSize({ width: 390, height: 780 });
  await expect(row).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, 'agent-keys-phone');

  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveAttribute('data-status', 'revoked');
  await expect(row.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  const refused = await page.request.post('/mcp', { headers: { authorization: `Bearer ${secret}`, accept: 'application/json, text/event-stream' }, data: INITIALIZE });
  expect(refused.status()).toBe(401);
  await shot(page, 'agent-keys-revoked-phone');
});
