/**
 * The one block `npm start` prints on a terminal once the app answers: where to open it, which mode
 * it runs in, where its data lives and how to stop it. Off a terminal (a service, a pipe) the same
 * facts go out as one JSON log line instead, so log collectors see only JSON.
 */
import { resolve } from 'node:path';

export interface BannerFacts {
  url: string;
  mode: 'sandbox' | 'live';
  dataDir: string;
  databasePath: string;
}

const MODE_LINES: Record<BannerFacts['mode'], string> = {
  sandbox: 'sandbox: simulated Lightning, play sats, no real money',
  live: 'live: real wallets and real money',
};

/** The banner's text: a framed block, every path absolute so it can be copied as is. */
export function startBanner(facts: BannerFacts): string {
  const rows: [string, string][] = [
    ['Open', facts.url],
    ['Mode', MODE_LINES[facts.mode]],
    ['Data', resolve(facts.dataDir)],
    ['Database', resolve(facts.databasePath)],
    ['Stop', 'press Ctrl+C (the server finishes what it is doing, then exits)'],
  ];
  const lines = ['Steward is running', '', ...rows.map(([label, value]) => `${label.padEnd(9)}${value}`)];
  const width = Math.max(...lines.map((line) => line.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return [rule, ...lines.map((line) => `| ${line.padEnd(width)} |`), rule].join('\n') + '\n';
}

/** The same facts as fields of one log line (paths absolute). */
export function bannerFields(facts: BannerFacts): Record<string, string> {
  return { url: facts.url, mode: facts.mode, dataDir: resolve(facts.dataDir), databasePath: resolve(facts.databasePath), stop: 'SIGINT or SIGTERM' };
}
