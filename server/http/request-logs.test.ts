import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiHarness } from '../api/test-harness';
import { createLogger } from '../logger';
import { buildHttpApp } from './app';

// Request lines go to debug: at info, a terminal would scroll with every poll of the app.

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function logsOf(level: string): Promise<string> {
  const harness = createApiHarness();
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const app = await buildHttpApp({ deps: { ...harness.deps, logger: createLogger({ level, destination: sink }) } });
  closers.push(async () => harness.database.close(), () => app.close());
  await app.inject({ method: 'GET', url: '/api/trpc/activity.list?input=%7B%22search%22%3A%22lisbon%22%7D' });
  await app.inject({ method: 'GET', url: '/api/health' });
  return text;
}

describe('request logs', () => {
  it('are silent at info', async () => {
    const logs = await logsOf('info');
    expect(logs).not.toContain('incoming request');
    expect(logs).not.toContain('request completed');
  });

  it('show at debug, with the path and status but never the query string', async () => {
    const logs = await logsOf('debug');
    expect(logs).toContain('"path":"/api/health"');
    expect(logs).toContain('"statusCode":200');
    expect(logs).toContain('"path":"/api/trpc/activity.list"');
    expect(logs).not.toContain('lisbon');
  });
});
