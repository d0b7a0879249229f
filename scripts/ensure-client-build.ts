import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

/**
 * `npm start` builds the client only when the build is missing or older than any client source, so a
 * fresh clone just works and a second start is instant.
 */
const builtIndex = 'dist/client/index.html';

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

const sources = ['client', 'shared'].filter((dir) => existsSync(dir)).map(newestMtimeMs).concat([statSync('vite.config.ts').mtimeMs]);
const stale = !existsSync(builtIndex) || statSync(builtIndex).mtimeMs < Math.max(...sources);
if (stale) {
  console.log('Building the client…');
  await build({ logLevel: 'warn' });
}
