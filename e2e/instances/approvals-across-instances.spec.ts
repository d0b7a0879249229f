import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { askInChat, DESKTOP, PHONE, shot, signUp } from '../support/session';
import { INSTANCE_A, INSTANCE_B, instanceBEnv, runDatabaseUrl } from './instances';

// Issue 16: two Steward instances on one PostgreSQL database, as behind a load balancer. A person's
// browser keeps instance A's Approvals page open while a request made through instance B waits for a
// click: A shows it, with its price, without a reload; approving it on A finishes the task B's page shows.
// The session is in the database and cookies are per host, so one browser context is signed in on both.
// Market prices: weather 50 sats, BTC price 10 sats; sandbox rate $100,000/BTC, so 1 sat = $0.001.

const serverUrl = process.env.TEST_DATABASE_URL;
test.skip(!serverUrl, 'skipped: set TEST_DATABASE_URL=postgres://... to run the multi-instance journeys');

let instanceB: ChildProcess | undefined;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  rmSync(INSTANCE_B.dataDir, { recursive: true, force: true });
  instanceB = spawn('node_modules/.bin/tsx', ['server/main.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...instanceBEnv(runDatabaseUrl(serverUrl ?? '')) },
  });
  // Its log lines (warnings and errors) go into the run's report.
  instanceB.stdout?.pipe(process.stdout);
  instanceB.stderr?.pipe(process.stderr);
  await expect.poll(() => healthy(`${INSTANCE_B.url}/api/health`), { timeout: 45_000, intervals: [250] }).toBe(true);
});

test.afterAll(async () => {
  if (!instanceB || instanceB.exitCode !== null) return;
  const exited = new Promise((resolve) => instanceB?.once('exit', resolve));
  instanceB.kill('SIGTERM');
  await exited;
});

// When a journey fails, what each instance holds for the person's tasks tells a page that missed an
// update (the stored status moved on) from work that stalled (it did not).
test.afterEach(async ({ page }, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const instance of [INSTANCE_A, INSTANCE_B]) {
    const body = await page.request
      .get(`${instance.url}/api/trpc/tasks.list`)
      .then((response) => response.json() as Promise<{ result: { data: { id: string; status: string; version: number; updatedAtMs: number }[] } }>)
      .then(({ result }) => JSON.stringify(result.data.map(({ id, status, version, updatedAtMs }) => ({ id, status, version, updatedAtMs }))))
      .catch((error: unknown) => String(error));
    await testInfo.attach(`tasks on ${instance.url}`, { body, contentType: 'text/plain' });
  }
});

async function healthy(url: string): Promise<boolean> {
  if (instanceB?.exitCode !== null) throw new Error(`instance B exited with code ${String(instanceB?.exitCode)}`);
  return fetch(url).then((response) => response.ok, () => false);
}

for (const [label, viewport] of [['1280 px', DESKTOP], ['390 px', PHONE]] as const) {
  test(`at ${label}, A's Approvals page shows an approval made through instance B live, and approving it there finishes B's task`, async ({ page, context }) => {
    await page.setViewportSize(viewport);
    const name = `instances-${viewport.width}`;
    await signUp(page, name);
    await page.goto('/approvals');
    await expect(page.getByTestId('no-pending-approvals')).toBeVisible();

    // Same browser, same session, the other instance.
    const onB: Page = await context.newPage();
    await onB.setViewportSize(viewport);
    await onB.goto(`${INSTANCE_B.url}/chat`);
    // Two weather reports and a price: 110 sats ($0.11), over the $0.10 automatic limit.
    const request = 'weather in Paris and London tomorrow and BTC price';
    const task = await askInChat(onB, request);
    await expect(task).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
    await expect(task.getByTestId('tier')).toContainText('Needs your confirmation');
    await shot(onB, `${name}-b-waiting`);

    // A's page was never reloaded: the approval arrives over A's live stream, from B's work.
    const card = page.getByTestId('approval-card');
    await expect(card).toHaveCount(1);
    await expect(card).toHaveAttribute('data-kind', 'confirm');
    await expect(card.getByTestId('approval-request')).toContainText(request);
    // Its price as B quoted it, the same range a single server shows for this request.
    await expect(card.getByRole('heading', { level: 3 })).toHaveText('$0.11–$0.14 (110–140 sats)');
    await expect(page.getByTestId('toast').filter({ hasText: 'A payment is waiting for your approval' })).toBeVisible();
    await expect(page).toHaveURL(`${INSTANCE_A.url}/approvals`);
    await shot(page, `${name}-a-approval-arrived`);

    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByTestId('no-pending-approvals')).toBeVisible();
    // B's page, also never reloaded, follows the task to its end.
    await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
    for (const step of ['s1', 's3']) await expect(task.getByTestId(`receipt-${step}`)).toContainText('Paid');
    await shot(onB, `${name}-b-completed`);
    await onB.close();
  });
}
