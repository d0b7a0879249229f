// Test helpers for the accounts module: an in-memory database, a clock the test moves, and a fake
// wallet provisioner. Used by the domain tests and the API tests (authorization matrix, log secrets).
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { generateSync } from 'otplib';
import { openDatabase } from '../../db/client';
import { forgetWriterMemory } from '../../db/writer-memory';
import { createLogger } from '../../logger';
import type { WalletProvisioner } from '../ports/wallet-provisioner';
import { createAccountsModule } from './index';
import type { RequestMeta } from './types';

export const TEST_META: RequestMeta = { ip: '127.0.0.1', userAgent: 'vitest' };

export class TestClock {
  constructor(private ms = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Moves to the start of the next 30-second TOTP step, so a new code exists. */
  nextTotpStep(): void {
    this.ms = (Math.floor(this.ms / 30_000) + 1) * 30_000 + 1_000;
  }
}

/** A provisioner whose NWC URLs carry a recognisable secret, so tests can look for leaks. */
export function fakeWalletProvisioner(): WalletProvisioner & { issued: string[] } {
  const issued: string[] = [];
  return {
    issued,
    async provisionUserWallet() {
      const url = `nostr+walletconnect://${randomBytes(32).toString('hex')}?relay=ws%3A%2F%2F127.0.0.1%3A7000&secret=${randomBytes(32).toString('hex')}`;
      issued.push(url);
      return { ok: true, nwcUrl: url };
    },
  };
}

export function totpCode(secret: string, clock: TestClock): string {
  return generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
}

/**
 * What accounts run on in a test: an in-memory database, a clock the test moves, a fresh secrets key
 * and a logger that is silent unless the test reads its lines (`logDestination`). `databasePath` and
 * `secretsKey`: a database file and key several environments share, as instances share one database
 * and SECRETS_KEY.
 */
/** `storage`: a database file and key shared with another environment, as two instances share them. */
export function createTestEnvironment(options: { logDestination?: Writable; storage?: { databasePath: string; secretsKey: Buffer } } = {}) {
  const database = openDatabase(options.storage?.databasePath ?? ':memory:');
  const clock = new TestClock();
  const logger = createLogger({ level: options.logDestination ? 'trace' : 'silent', destination: options.logDestination });
  const secretsKey = options.storage?.secretsKey ?? randomBytes(32);
  /**
   * Changes rows behind the app's back, as an older version would have written them before this
   * process started: the statement runs, then the writer's memory (db/writer-memory.ts) is dropped.
   */
  function writeBehindTheApp(sql: string, ...params: (string | number)[]): void {
    database.sqlite.prepare(sql).run(...params);
    forgetWriterMemory(database.sqlite);
  }
  return { database, clock, logger, secretsKey, writeBehindTheApp };
}

export function createTestAccounts(options: { logDestination?: Writable; provisioner?: WalletProvisioner | null } = {}) {
  const environment = createTestEnvironment(options);
  const { database, clock, logger, secretsKey } = environment;
  const provisioner = options.provisioner === undefined ? fakeWalletProvisioner() : options.provisioner;
  const module = createAccountsModule({ db: database.db, secretsKey, walletProvisioner: provisioner, logger, now: clock.now });
  return { ...module, ...environment, provisioner };
}
