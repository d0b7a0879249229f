/**
 * Auto-pause on the real sandbox stack: a provider that takes the payment and answers 500 is paused for
 * everyone once its non-delivery rate passes the operators' threshold over enough paid calls. The
 * pause is evaluated by the disputes domain after each recorded non-delivery (nobody asks for it); from
 * then on nobody is quoted or charged for it (`service_paused`), until an operator resumes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import { createReceipts } from '../domain/payments';
import { askOnStack, signUpOnStack, startAdversaryStack, type AgentStack } from './agent-support';
import { BEHAVIOURS } from './support/adversarial-provider';

let stack: AgentStack;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ stack, close } = await startAdversaryStack('auto-pause', { treasury: true, slowMs: 3_000 }));
}, 30_000);

afterAll(async () => {
  await close?.();
});

const ask = (userId: string, text: string): Promise<TaskView> => askOnStack(stack, userId, text);

describe('a service past the non-delivery threshold is paused for everyone', () => {
  it('pauses after the minimum number of paid calls, refuses everyone by name, and resumes when an operator says so', async () => {
    await stack.accounts.accounts.ensureOperator({ email: 'pause-operator@example.com', password: 'quiet-harbour-lantern-73' });
    const operatorId = stack.accounts.accounts.listUsers().find((u) => u.role === 'operator')?.id ?? '';
    stack.standing.setPolicy(operatorId, { thresholdBps: 5_000, minPaidCalls: 2 });
    const ann = await signUpOnStack(stack, 'pause-ann');
    const bea = await signUpOnStack(stack, 'pause-bea');

    // One failure of a service with one paid call pauses nothing.
    expect((await ask(ann, BEHAVIOURS.paid500.name)).failure?.reason).toBe('paid_not_delivered');
    await stack.disputes.idle();
    expect(stack.standing.paused()).toEqual([]);

    // The second (2 of 2 paid calls not delivered, 100% > 50%) pauses it, for everyone.
    expect((await ask(bea, BEHAVIOURS.paid500.name)).failure?.reason).toBe('paid_not_delivered');
    await stack.disputes.idle();
    const [paused] = stack.standing.paused();
    expect(paused).toMatchObject({ paidCalls: 2, nonDeliveryBps: 10_000, thresholdBps: 5_000 });
    expect(paused?.serviceId).toContain(BEHAVIOURS.paid500.name);

    const refused = await ask(ann, BEHAVIOURS.paid500.name);
    expect(refused.failure).toMatchObject({ reason: 'service_paused', message: expect.stringContaining('paused for everyone') });
    expect(createReceipts(stack.database.db).list(ann)).toHaveLength(1);

    // Operators were told; only one of them resumes it.
    expect(stack.alerts.list(operatorId).map((a) => a.title)).toContain('A service was paused');
    expect(stack.standing.resume(operatorId, paused?.serviceId ?? '')).toEqual({ ok: true });
    // Someone new (ann's token for it is still valid, so she would not pay again) is charged again.
    const cy = await signUpOnStack(stack, 'pause-cy');
    expect((await ask(cy, BEHAVIOURS.paid500.name)).failure?.reason).toBe('paid_not_delivered');
    expect(createReceipts(stack.database.db).list(cy)).toHaveLength(1);
  });
});
