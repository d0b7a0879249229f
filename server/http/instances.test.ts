// Several Steward instances on one database: what one instance counts against a client, the others see,
// and a restarted instance still knows. Each "instance" is a whole app stack (compose + HTTP) with its
// own connection to one SQLite file, as instances behind a load balancer share one database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiHarness } from '../api/test-harness';
import { TEST_META, totpCode } from '../domain/accounts/test-support';
import { LOCKOUT_THRESHOLD } from '../domain/accounts/two-factor';
import { buildHttpApp } from './app';

type Instance = { harness: ReturnType<typeof createApiHarness>; app: FastifyInstance; stop: () => Promise<void> };
const running: Instance[] = [];
let tempDir: string | undefined;
afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.stop()));
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

function sharedDatabase() {
  tempDir = mkdtempSync(join(tmpdir(), 'steward-instances-'));
  return { databasePath: join(tempDir, 'app.db'), secretsKey: randomBytes(32) };
}

async function startInstance(shared: { databasePath: string; secretsKey: Buffer }): Promise<Instance> {
  const harness = createApiHarness({ storage: shared });
  const app = await buildHttpApp({ deps: harness.deps });
  const instance = {
    harness,
    app,
    stop: async () => {
      running.splice(running.indexOf(instance), 1);
      await app.close();
      harness.database.close();
    },
  };
  running.push(instance);
  return instance;
}

const signIn = (instance: Instance) =>
  instance.app.inject({
    method: 'POST',
    url: '/api/trpc/auth.signIn',
    headers: { 'content-type': 'application/json', 'x-steward-csrf': '1' },
    payload: JSON.stringify({ email: 'guess@example.com', password: 'wrong-password' }),
  });

describe('instances sharing one database', () => {
  it('limit 20 sign-in attempts from one address spread over two instances as one, and a restart forgets none', async () => {
    const shared = sharedDatabase();
    const [a, b] = [await startInstance(shared), await startInstance(shared)];
    for (let attempt = 0; attempt < 20; attempt++) {
      expect((await signIn(attempt % 2 === 0 ? a : b)).statusCode).toBe(401);
    }
    for (const instance of [a, b]) {
      const limited = await signIn(instance);
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.data.reason).toBe('rate_limited');
      expect(limited.json().error.message).toMatch(/Too many attempts/);
    }

    await a.stop();
    await b.stop();
    const restarted = await startInstance(shared);
    expect((await signIn(restarted)).statusCode).toBe(429);
  });

  it('lock the second factor after wrong codes spread over two instances, on both and after a restart', async () => {
    const shared = sharedDatabase();
    const [a, b] = [await startInstance(shared), await startInstance(shared)];
    const { user } = await a.harness.signUp('ada@example.com');
    const { twoFactor, stepUp } = a.harness.deps.accounts;
    const begun = await twoFactor.beginEnrollment(user.id, user.email, TEST_META);
    if (!begun.ok) throw new Error(begun.reason);
    expect(twoFactor.confirmEnrollment(user.id, totpCode(begun.secret, a.harness.clock), TEST_META).ok).toBe(true);
    for (const instance of [a, b]) instance.harness.clock.nextTotpStep();

    const action = { kind: 'approve_spend', id: 'quote-1' };
    const wrong = (instance: Instance) => instance.harness.deps.accounts.stepUp.verify({ userId: user.id, code: '000000', action }, TEST_META);
    const answers = Array.from({ length: LOCKOUT_THRESHOLD }, (_, attempt) => wrong(attempt % 2 === 0 ? a : b));
    expect(answers.slice(0, -1).map((r) => !r.ok && r.reason)).toEqual(Array(LOCKOUT_THRESHOLD - 1).fill('invalid_code'));
    expect(answers.at(-1)).toMatchObject({ ok: false, reason: 'locked' });
    // Even the right code is refused, on the instance that saw the last wrong one and on the other.
    const right = () => ({ userId: user.id, code: totpCode(begun.secret, a.harness.clock), action });
    expect(stepUp.verify(right(), TEST_META)).toMatchObject({ ok: false, reason: 'locked' });
    expect(b.harness.deps.accounts.stepUp.verify(right(), TEST_META)).toMatchObject({ ok: false, reason: 'locked' });

    await a.stop();
    await b.stop();
    const restarted = await startInstance(shared);
    restarted.harness.clock.nextTotpStep();
    expect(restarted.harness.deps.accounts.stepUp.verify(right(), TEST_META)).toMatchObject({ ok: false, reason: 'locked' });
  });
});
