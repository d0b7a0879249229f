// Instance A of the multi-instance journeys, as playwright.instances.config.ts's web server: creates the
// run's database on TEST_DATABASE_URL's server, runs the app on it, and on SIGTERM (Playwright's
// graceful shutdown, after the spec has stopped instance B) stops the app and drops the database.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { INSTANCE_A, instanceAEnv, runDatabaseUrl, runSettings } from './instances';

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
const { databaseName } = runSettings();

async function onServer(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

await onServer(`CREATE DATABASE "${databaseName}"`);
rmSync(INSTANCE_A.dataDir, { recursive: true, force: true });
const app = spawn('node_modules/.bin/tsx', ['server/main.ts'], { stdio: 'inherit', env: { ...process.env, ...instanceAEnv(runDatabaseUrl(serverUrl)) } });
const exited = new Promise<number>((resolve) => app.once('exit', (code) => resolve(code ?? 1)));

let stopping = false;
async function stop(): Promise<never> {
  stopping = true;
  app.kill('SIGTERM');
  const code = await exited;
  await onServer(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  process.exit(code);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// The app stopping by itself (a refused start) ends the run too, with the database dropped.
void exited.then(() => {
  if (!stopping) void stop();
});
