import { expect, test, type Page } from '@playwright/test';
import { shot, signUp } from './support/session';

// What the agent understands (issue 13), at a desktop and a phone width: a greeting before a request
// plans the request; "translate that into Spanish" works on the previous answer without buying it
// again; a partial plan says what it will not do and waits for a click; example prompts are clickable.

async function ask(page: Page, text: string) {
  const input = page.getByTestId('chat-input');
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

const lastTask = (page: Page) => page.getByTestId('task-card').last();

for (const width of [1280, 390]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: width > 800 ? 900 : 844 } });

    test('a greeting plus a request plans the request, and a follow-up translates the previous answer', async ({ page }) => {
      await signUp(page, `planner-follow-${width}`);
      await page.goto('/chat');
      // The example prompts are buttons that send their request.
      await page.getByTestId('example-prompt').filter({ hasText: 'Tell me a joke about bitcoin' }).click();
      await expect(lastTask(page)).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });

      await ask(page, 'Hi there! How are you? What is the weather in Paris tomorrow?');
      const weather = lastTask(page);
      await expect(weather).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
      await expect(weather.getByTestId('step-s1')).toContainText('weather');
      await expect(weather.getByTestId('step-s2')).toHaveCount(0);
      // A readable answer: the place, units, no raw field names.
      const answer = weather.getByTestId('task-answer');
      await expect(answer).toContainText('Paris');
      await expect(answer).toContainText('°C');
      await expect(answer).not.toContainText('temperature_c');
      await shot(page, `planner-greeting-${width}`);

      await ask(page, 'translate that into Spanish');
      const translated = lastTask(page);
      await expect(translated).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
      // One step, translate, fed the previous answer: the forecast is not bought again.
      await expect(translated.getByTestId('step-s1')).toContainText('translate');
      await expect(translated.getByTestId('step-s1')).toContainText('your previous answer');
      await expect(translated.getByTestId('step-s2')).toHaveCount(0);
      await expect(translated.getByTestId('task-answer')).toContainText('Paris');
      await shot(page, `planner-follow-up-${width}`);
    });

    test('a partial plan shows what will not be done and waits for a click', async ({ page }) => {
      await signUp(page, `planner-partial-${width}`);
      await page.goto('/chat');
      await ask(page, 'Tell me a joke about lightning and book me a hotel in Rome');
      const task = lastTask(page);
      // Cheap enough to be approved automatically, yet it waits: part of the request will not be done.
      await expect(task).toHaveAttribute('data-status', 'awaiting_approval', { timeout: 30_000 });
      await expect(task.getByTestId('not-done')).toContainText('book me a hotel in Rome');
      await expect(task.getByTestId('step-s1')).toContainText('joke');
      await expect(task.getByTestId('tier')).toContainText('does not do everything you asked');
      await shot(page, `planner-partial-${width}`);
      await task.getByRole('button', { name: 'Approve' }).click();
      await expect(task).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
      await expect(task.getByTestId('task-answer')).toBeVisible();

      // A refusal suggests what can be asked, and the suggestion is one click away.
      await ask(page, 'order me a pizza');
      const refused = lastTask(page);
      await expect(refused).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
      await expect(refused.getByTestId('task-failure')).toContainText('No catalogued service');
      await shot(page, `planner-refusal-${width}`);
      const before = await page.getByTestId('task-card').count();
      await refused.getByTestId('example-prompt').first().click();
      await expect(page.getByTestId('task-card')).toHaveCount(before + 1);
    });
  });
}
