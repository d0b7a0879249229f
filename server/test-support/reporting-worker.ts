// A test's worker process: a script run with tsx that opens the same database as the test, prints
// "ready" once set up (so the test can start every worker's work at the same moment), then prints its
// report as JSON and exits. The race tests start several of these to race each other on one database.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const READY = 'ready\n';

export function startReportingWorker<Report>(workerPath: string, args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve) => {
    const onData = () => {
      if (!stdout.includes(READY)) return;
      child.stdout.off('data', onData);
      resolve();
    };
    child.stdout.on('data', onData);
  });
  const done = new Promise<Report>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited ${code}: ${stderr}`));
      resolve(JSON.parse(stdout.slice(stdout.indexOf(READY) + READY.length)) as Report);
    });
  });
  return { child, ready, done };
}
