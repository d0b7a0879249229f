// The SQLite side of background checkpoints (checkpointer.ts): a worker thread with its own connection
// to the app's database file that copies committed WAL pages into the database. It comes back every
// `intervalMs` while the WAL is still, and every `busyIntervalMs` while commits keep arriving: a
// busy writer fills the WAL faster than one pass per `intervalMs` copies it (at a few thousand spends a
// second, past the writer's own autocheckpoint ceiling within 250 ms), and whatever is left uncopied
// at that ceiling the writer copies and fsyncs itself, on the event loop (bench/governance.bench.ts).
// Plain JavaScript so that Node can start it without a TypeScript loader (tests, tsx, builds).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs, busyIntervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
// A PASSIVE checkpoint never waits for a lock and never blocks the writer: it copies the pages no
// reader still needs and leaves the rest for the next pass. `log` is the WAL's length in frames.
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0]?.log ?? 0;

let timer = null;
let lastLog = -1;
function pass() {
  const log = checkpoint();
  // A WAL that grew (or restarted) since the last pass has a writer at work.
  const writing = log !== lastLog;
  lastLog = log;
  timer = setTimeout(pass, writing ? busyIntervalMs : intervalMs);
}
// The first pass comes soon: a WAL left by the last run, or a writer already at work, is copied now.
timer = setTimeout(pass, busyIntervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
