import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGovernanceEnvironment } from '../approvals/test-support';
import { createMcpSessions } from './mcp-sessions';

let env: ReturnType<typeof createGovernanceEnvironment>;
let nowMs = 1_000;
beforeEach(() => {
  env = createGovernanceEnvironment({});
  nowMs = 1_000;
});
afterEach(() => env.database.close());

const KEY = { name: 'ide', monthlyCapSats: 100, perCallCapSats: 10, allowed: [], mayAutoSpend: true, expiresInDays: 1 };

describe('MCP sessions in the database', () => {
  it("keeps a key within its limit whichever handle opens the session: the next one closes the key's oldest", async () => {
    const alice = await env.signUp('alice@example.com');
    const { key } = env.agentKeys.create(alice.userId, KEY);
    const other = env.agentKeys.create(alice.userId, KEY).key;
    // Two services over one database stand for two instances.
    const a = createMcpSessions({ db: env.database.db, perKeyLimit: 2, now: () => nowMs });
    const b = createMcpSessions({ db: env.database.db, perKeyLimit: 2, now: () => nowMs });
    expect(a.open({ id: 's1', keyId: key.id, userId: alice.userId })).toEqual([]);
    nowMs += 1;
    expect(b.open({ id: 's2', keyId: key.id, userId: alice.userId })).toEqual([]);
    expect(a.open({ id: 'o1', keyId: other.id, userId: alice.userId })).toEqual([]);
    nowMs += 1;
    expect(b.open({ id: 's3', keyId: key.id, userId: alice.userId })).toEqual(['s1']);
    expect(a.find('s1')?.closedAtMs).toBe(nowMs);
    expect(['s2', 's3', 'o1'].map((id) => a.find(id)?.closedAtMs)).toEqual([null, null, null]);
  });

  it('closes once, on any handle, and closes the sessions nobody used for the idle time', async () => {
    const alice = await env.signUp('alice@example.com');
    const { key } = env.agentKeys.create(alice.userId, KEY);
    const sessions = createMcpSessions({ db: env.database.db, perKeyLimit: 8, now: () => nowMs });
    sessions.open({ id: 'gone', keyId: key.id, userId: alice.userId });
    sessions.open({ id: 'used', keyId: key.id, userId: alice.userId });
    sessions.open({ id: 'idle', keyId: key.id, userId: alice.userId });
    expect(sessions.close('gone')).toBe(true);
    expect(sessions.close('gone')).toBe(false);
    nowMs += 50;
    sessions.touch('used');
    nowMs += 60;
    expect(sessions.closeIdle(100)).toBe(1);
    expect(sessions.find('idle')?.closedAtMs).toBe(nowMs);
    expect(sessions.find('used')?.closedAtMs).toBeNull();
  });
});
