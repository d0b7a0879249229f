/**
 * Agent keys: the credentials a person gives an AI agent (an MCP client), each narrower than their own
 * rules (key-rules.ts).
 *
 *   agentKeys.create(userId, input)       -> { key, secret }   the secret is returned this once only
 *   agentKeys.list / get                   -> views with this month's spend and the last use
 *   agentKeys.revoke(userId, keyId)        -> at once; told on the live bus, so every instance stops the
 *                                             key's work in flight (watchRevoked)
 *   agentKeys.authenticate(secret)         -> the key's owner and id, or why not
 *   agentKeys.narrow(...)                  -> the person's decision narrowed by the key (approvals)
 *   agentKeys.spendUnder(...)              -> domain/spending pays a key's step through this: the key's
 *                                             caps are checked and its hold counted in the payment's
 *                                             write-ahead transaction (a KeyHold), then settled to the cost
 *
 * Keys are 256 random bits; only their SHA-256 is stored, so a leaked database holds no usable key.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AgentKeyView, createAgentKeyInputSchema } from '../../../shared/agent-keys';
import type { AgentKeyDenyReason, PolicyDecision } from '../../../shared/governance';
import { msat, satToMsat, sat, type Msat } from '../../../shared/money';
import type { Db } from '../../db/client';
import type { LiveBus } from '../ports/live-bus';
import { createAgentKeysRepository } from '../../db/repositories/agent-keys-repository';
import type { AgentKeyRow } from '../../db/schema/agent-keys';
import { periodFor } from '../governance';
import type { KeyHold } from '../payments';
import { keyRefusal, keyStatus, narrowDecision, type KeyLimits, type KeySpend } from './key-rules';
import { createMcpSessions, MCP_SESSIONS_PER_KEY } from './mcp-sessions';

export interface AgentKeysDeps {
  db: Db;
  /** The person's IANA time zone: a key's month is their budget month. */
  timeZoneOf: (userId: string) => string;
  /** Revocations travel here (kind `agent_key`, id = the key's id), to every instance. */
  liveBus: LiveBus;
  now?: () => number;
}

/** The owner and id a presented key stands for. */
export interface AgentPrincipal {
  userId: string;
  keyId: string;
  name: string;
}

export type AuthenticateResult = { ok: true; principal: AgentPrincipal } | { ok: false; reason: 'unknown_key' | 'key_revoked' | 'key_expired' };
export type RevokeResult = { ok: true; key: AgentKeyView } | { ok: false; reason: 'not_found' | 'already_revoked' };
export type SpendUnderResult<T> = { ok: true; value: T } | { ok: false; reason: AgentKeyDenyReason };

const KEY_PREFIX = 'stw_';
const allowedSchema = z.array(z.string()).nullable();

export function hashAgentKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function limitsOf(row: AgentKeyRow): KeyLimits {
  const allowed = row.allowedJson === null ? null : allowedSchema.parse(JSON.parse(row.allowedJson));
  return {
    monthlyCapMsat: msat(row.monthlyCapMsat),
    perCallCapMsat: msat(row.perCallCapMsat),
    allowed,
    mayAutoSpend: row.mayAutoSpend,
    expiresAtMs: row.expiresAtMs,
    revokedAtMs: row.revokedAtMs,
  };
}

export function createAgentKeys(deps: AgentKeysDeps) {
  const now = deps.now ?? Date.now;
  const repository = createAgentKeysRepository(deps.db);

  function spentThisMonth(row: AgentKeyRow, nowMs = now()): Msat {
    const period = periodFor(new Date(nowMs), deps.timeZoneOf(row.userId));
    return msat(repository.spentSince(row.id, period.startsAt.getTime()));
  }

  /**
   * The key's claim on one purchase (payments' KeyHold): re-read and checked, and its hold recorded,
   * inside the write-ahead's transaction, so the caps hold across instances and processes.
   */
  function holdFor(input: { userId: string; keyId: string; services: KeySpend['services'] }): KeyHold {
    return {
      refusal(holdMsat, nowMs) {
        const row = repository.byId(input.userId, input.keyId);
        if (!row) return 'key_revoked';
        return keyRefusal(limitsOf(row), { services: input.services, maxMsat: holdMsat, spentThisMonthMsat: spentThisMonth(row, nowMs), nowMs });
      },
      hold(paymentId, holdMsat, nowMs) {
        repository.recordSpend({ paymentId, keyId: input.keyId, userId: input.userId, spentMsat: holdMsat, atMs: nowMs });
      },
    };
  }

  function view(row: AgentKeyRow): AgentKeyView {
    const limits = limitsOf(row);
    return {
      id: row.id,
      name: row.name,
      keyPrefix: row.keyPrefix,
      monthlyCapMsat: row.monthlyCapMsat,
      perCallCapMsat: row.perCallCapMsat,
      allowed: [...(limits.allowed ?? [])],
      mayAutoSpend: row.mayAutoSpend,
      expiresAtMs: row.expiresAtMs,
      revokedAtMs: row.revokedAtMs,
      lastUsedAtMs: row.lastUsedAtMs,
      createdAtMs: row.createdAtMs,
      spentThisMonthMsat: spentThisMonth(row),
      status: keyStatus(limits, now()),
    };
  }

  return {
    /** The keys' open MCP sessions (mcp-sessions.ts). */
    sessions: createMcpSessions({ db: deps.db, perKeyLimit: MCP_SESSIONS_PER_KEY, now }),

    create(userId: string, input: z.output<typeof createAgentKeyInputSchema>): { key: AgentKeyView; secret: string } {
      const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const nowMs = now();
      const row = repository.insert({
        id: randomUUID(),
        userId,
        name: input.name,
        keyHash: hashAgentKey(secret),
        keyPrefix: secret.slice(0, KEY_PREFIX.length + 6),
        monthlyCapMsat: satToMsat(sat(input.monthlyCapSats)),
        perCallCapMsat: satToMsat(sat(input.perCallCapSats)),
        allowedJson: input.allowed.length === 0 ? null : JSON.stringify([...new Set(input.allowed)]),
        mayAutoSpend: input.mayAutoSpend,
        expiresAtMs: input.expiresInDays === null ? null : nowMs + input.expiresInDays * 24 * 60 * 60_000,
        createdAtMs: nowMs,
      });
      return { key: view(row), secret };
    },

    list: (userId: string): AgentKeyView[] => repository.list(userId).map(view),

    get(userId: string, keyId: string): AgentKeyView | null {
      const row = repository.byId(userId, keyId);
      return row ? view(row) : null;
    },

    /** Revokes at once; watchers on every instance (the task runner, open MCP sessions) stop the key's work in flight. */
    revoke(userId: string, keyId: string): RevokeResult {
      const row = repository.revoke(userId, keyId, now());
      if (!row) return repository.byId(userId, keyId) ? { ok: false, reason: 'already_revoked' } : { ok: false, reason: 'not_found' };
      deps.liveBus.publish({ kind: 'agent_key', userId, id: keyId });
      return { ok: true, key: view(row) };
    },

    /** Calls `onRevoked` once the key is revoked, through this instance or any other; returns how to stop watching. */
    watchRevoked(userId: string, keyId: string, onRevoked: () => void): () => void {
      return deps.liveBus.subscribe('agent_key', userId, (id) => {
        if (id === keyId) onRevoked();
      });
    },

    authenticate(secret: string): AuthenticateResult {
      const row = secret.startsWith(KEY_PREFIX) ? repository.byHash(hashAgentKey(secret)) : undefined;
      if (!row) return { ok: false, reason: 'unknown_key' };
      const status = keyStatus(limitsOf(row), now());
      if (status === 'revoked') return { ok: false, reason: 'key_revoked' };
      if (status === 'expired') return { ok: false, reason: 'key_expired' };
      repository.touch(row.id, now());
      return { ok: true, principal: { userId: row.userId, keyId: row.id, name: row.name } };
    },

    /** The key a secret stands for, revoked or not (a session is bound to its key, not to its status); or null. */
    keyOf(secret: string): { userId: string; keyId: string; name: string } | null {
      const row = secret.startsWith(KEY_PREFIX) ? repository.byHash(hashAgentKey(secret)) : undefined;
      return row ? { userId: row.userId, keyId: row.id, name: row.name } : null;
    },

    /** The person's decision narrowed by the key's limits; a key that is not theirs is refused as revoked. */
    narrow(input: { userId: string; keyId: string; decision: PolicyDecision; services: KeySpend['services']; maxMsat: Msat }): PolicyDecision {
      const row = repository.byId(input.userId, input.keyId);
      if (!row) return { kind: 'deny', reason: 'key_revoked', why: 'This agent key no longer exists.' };
      return narrowDecision(input.decision, limitsOf(row), { services: input.services, maxMsat: input.maxMsat, spentThisMonthMsat: spentThisMonth(row), nowMs: now() });
    },

    holdFor,

    /**
     * Runs `pay` with the key's hold while the key still allows the spend, then records what the
     * payment really cost. The check here only answers early (before the provider is asked for an
     * invoice); the binding one is the hold's, in the write-ahead, which `pay` must pass to payments.
     */
    async spendUnder<T>(
      input: { userId: string; keyId: string; services: KeySpend['services']; maxMsat: Msat },
      pay: (keyHold: KeyHold) => Promise<{ value: T; payment: { id: string; spentMsat: number } | null }>,
    ): Promise<SpendUnderResult<T>> {
      const row = repository.byId(input.userId, input.keyId);
      if (!row) return { ok: false, reason: 'key_revoked' };
      const refused = keyRefusal(limitsOf(row), { services: input.services, maxMsat: input.maxMsat, spentThisMonthMsat: spentThisMonth(row), nowMs: now() });
      if (refused) return { ok: false, reason: refused };
      const paid = await pay(holdFor(input));
      // Settles the hold to the cost (the write-ahead's atMs stays: the spend belongs to that month).
      if (paid.payment) repository.recordSpend({ paymentId: paid.payment.id, keyId: row.id, userId: row.userId, spentMsat: paid.payment.spentMsat, atMs: now() });
      repository.touch(row.id, now());
      return { ok: true, value: paid.value };
    },

    paymentIds: (userId: string, keyId: string, limit = 50): string[] => repository.paymentIds(userId, keyId, limit),
    namesForPayments: (userId: string, paymentIds: readonly string[]) => repository.namesForPayments(userId, paymentIds),
  };
}

export type AgentKeys = ReturnType<typeof createAgentKeys>;
