// The SQLite side of background checkpoints (checkpointer.ts): a worker thread with its own connection
// to the app's database file that copies committed WAL pages into the database every `intervalMs`.
// Plain JavaScript so that Node can start it without a TypeScript loader (tests, tsx, builds).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
// A PASSIVE checkpoint never waits for a lock and never blocks the writer: it copies the pages no
// reader still needs and leaves the rest for the next pass.
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
const timer = setInterval(checkpoint, intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
