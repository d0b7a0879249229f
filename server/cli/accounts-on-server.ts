// The accounts module over the server's own database and secrets key, for the operator's commands
// (create-operator.ts, reset-link.ts): the same configuration as the server (DATA_DIR, DATABASE_PATH
// or DATABASE_URL, SECRETS_KEY). Close it when done.
import { join } from 'node:path';
import { openDatabase } from '../db/client';
import { loadSecretsKey } from '../db/secret-box';
import { createAccountsModule, type AccountsModule } from '../domain/accounts';
import { loadEnv, type Env } from '../env';
import { createLogger } from '../logger';

export function accountsOnServer(): { env: Env; accounts: AccountsModule; close(): void } {
  const env = loadEnv();
  const database = openDatabase(env.databaseUrl ?? env.databasePath);
  try {
    const secretsKey = loadSecretsKey({ configuredKeyBase64: env.SECRETS_KEY, mode: env.mode, keyPath: join(env.DATA_DIR, 'secrets.key') });
    const accounts = createAccountsModule({ db: database.db, secretsKey, walletProvisioner: null, logger: createLogger({ level: 'warn' }) });
    return { env, accounts, close: () => database.close() };
  } catch (error) {
    database.close();
    throw error;
  }
}
