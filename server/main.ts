import { fileURLToPath } from 'node:url';
import { openDatabase } from './db/client';
import { loadEnv } from './env';
import { buildHttpApp } from './http/app';
import { createLogger } from './logger';
import { APP_VERSION } from './version';

/** Composition root: env -> logger -> db -> rails -> domain services -> HTTP. */
async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  const database = openDatabase(env.databasePath);

  const app = await buildHttpApp({
    deps: { mode: env.mode, version: APP_VERSION, logger },
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    database.close();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ host: env.HOST, port: env.PORT });
  logger.info({ url: `http://${env.HOST}:${env.PORT}`, mode: env.mode }, 'Steward is running');
}

main().catch((error: unknown) => {
  process.stderr.write(`Steward failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
