import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiHarness } from '../api/test-harness';
import { buildHttpApp } from './app';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function app(clientDir?: string) {
  const harness = createApiHarness();
  apps.push({ close: async () => harness.database.close() });
  const instance = await buildHttpApp({ deps: { ...harness.deps, version: '9.9.9' }, clientDir });
  apps.push(instance);
  return instance;
}

describe('http app', () => {
  it('answers health with status, mode and version', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', mode: 'sandbox', version: '9.9.9' });
  });

  it('serves tRPC under /api/trpc', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/api/trpc/system.info' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ result: { data: { mode: 'sandbox', version: '9.9.9' } } });
  });

  it('answers a batch of many procedures at once, as a page that loads several together sends it', async () => {
    // The Security page's queries batched with the shell's refetches: the path alone is over 100 characters.
    const paths = Array.from({ length: 10 }, () => 'system.info').join(',');
    const res = await (await app()).inject({ method: 'GET', url: `/api/trpc/${paths}?batch=1&input=%7B%7D` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(10);
  });

  it('sends a strict content security policy and no inline scripts allowance', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/api/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('falls back to index.html for client routes but 404s unknown API paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-client-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Steward</title>');
    const instance = await app(dir);
    const page = await instance.inject({ method: 'GET', url: '/budget' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Steward</title>');
    const api = await instance.inject({ method: 'GET', url: '/api/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: 'Not found' });
  });

  it('refuses oversized bodies', async () => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/api/trpc/system.info',
      headers: { 'content-type': 'application/json', 'x-steward-csrf': '1' },
      payload: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });
});
