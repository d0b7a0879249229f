/**
 * The real server as a child process: started, killed with SIGKILL at any moment, restarted on the
 * same DATA_DIR (so the sandbox keeps its ports, wallets and balances), and finally stopped cleanly.
 *
 * It runs as `node --import tsx server/main.ts`, what `tsx server/main.ts` does, but in ONE process:
 * the tsx CLI would put a second process in between, and a SIGKILL to it would orphan the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export interface ServerOptions {
  port: number;
  dataDir: string;
  /** Where the server's output goes (appended across restarts). */
  logPath: string;
  /** Extra environment (sandbox ports, slow and misbehaving services, ...). */
  env: Record<string, string>;
}

export interface ServerProcess {
  readonly baseUrl: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** SIGTERM and wait; false when it had to be killed after `timeoutMs`. */
  stop(timeoutMs: number): Promise<boolean>;
  isUp(): boolean;
  /** Times it exited without being told to (a crash): each is a bug to read the log for. */
  crashes(): number;
}

const HEALTH_TIMEOUT_MS = 90_000;

export function createServerProcess(options: ServerOptions): ServerProcess {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const log: WriteStream = createWriteStream(options.logPath, { flags: 'a' });
  let child: ChildProcess | null = null;
  let up = false;
  let crashes = 0;
  // Never leave a server behind, whatever ends the soak.
  process.on('exit', () => child?.kill('SIGKILL'));

  async function waitForHealth(): Promise<void> {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child?.exitCode !== null) throw new Error(`the server exited during start-up (see ${options.logPath})`);
      try {
        const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the server did not answer /api/health within ${HEALTH_TIMEOUT_MS} ms`);
  }

  async function exited(server: ChildProcess): Promise<void> {
    if (server.exitCode !== null || server.signalCode !== null) return;
    await once(server, 'exit');
  }

  return {
    baseUrl,
    async start() {
      const spawned = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: { ...process.env, ...options.env, HOST: '127.0.0.1', PORT: String(options.port), DATA_DIR: options.dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      spawned.stdout?.pipe(log, { end: false });
      spawned.stderr?.pipe(log, { end: false });
      // kill() and stop() let go of the child before it exits; an exit of the current child is a crash.
      spawned.once('exit', () => {
        if (child !== spawned) return;
        crashes += 1;
        up = false;
        child = null;
      });
      child = spawned;
      await waitForHealth();
      up = true;
    },
    async kill() {
      const current = child;
      up = false;
      child = null;
      if (!current) return;
      current.kill('SIGKILL');
      await exited(current);
    },
    async stop(timeoutMs) {
      const current = child;
      up = false;
      child = null;
      if (!current) return true;
      current.kill('SIGTERM');
      const clean = await Promise.race([exited(current).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs))]);
      if (!clean) {
        current.kill('SIGKILL');
        await exited(current);
      }
      log.end();
      return clean && current.exitCode === 0;
    },
    isUp: () => up,
    crashes: () => crashes,
  };
}
