import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import './rails/nwc/websocket-global';

// `npm ci` warns (EBADENGINE) about dependencies that declare a newer Node than the README's 20.19.
// Each one left is listed here with why it runs on 20.19 anyway, and loaded the way its consumer
// loads it. A new one fails the first test until someone decides: another version, or a line here.

const README_NODE = [20, 19, 0] as const;

/** Why each remaining one runs on Node 20.19 (README, "Node version"). */
const DECLARES_NEWER_NODE: Record<string, string> = {
  // The SDK's only Node 22 need is a global WebSocket (for nostr-tools); websocket-global.ts supplies ws's.
  '@getalby/sdk': 'a global WebSocket',
  // ES-module-only packages that CommonJS consumers require(): Node 20.19 does that unflagged.
  cookie: 'require() of an ES module (light-my-request)',
  'content-disposition': 'require() of an ES module (@fastify/static)',
};

type Version = readonly [number, number, number];

/** "20", "20.19", "20.x", "10.*" -> the numbers given (wildcards dropped). */
const numbers = (text: string) => text.split('.').filter((n) => /^\d+$/.test(n)).map(Number);
const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = numbers(text);
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

function satisfies(comparator: string, version: Version): boolean {
  const [, op = '', rest = ''] = /^(>=|<=|>|<|\^|~|=)?(.*)$/.exec(comparator) ?? [];
  if (rest === '*' || rest === '') return true;
  const floor = parse(rest);
  const given = numbers(rest).length;
  switch (op) {
    case '>=': return compare(version, floor) >= 0;
    case '>': return compare(version, floor) > 0;
    case '<=': return compare(version, floor) <= 0;
    case '<': return compare(version, floor) < 0;
    case '^': return version[0] === floor[0] && compare(version, floor) >= 0;
    case '~': return version[0] === floor[0] && version[1] === floor[1] && compare(version, floor) >= 0;
    default: return version.slice(0, given).every((n, i) => n === floor[i]);
  }
}

/** Whether an engines range (npm's forms: comparators joined by spaces, alternatives by "||") admits `version`. */
function admits(range: string, version: Version): boolean {
  return range.split('||').some((part) =>
    part
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => satisfies(comparator, version)),
  );
}

describe("dependencies and the README's Node", () => {
  it('reads engines ranges as npm does', () => {
    expect(admits('^20.19.0 || >=22.12.0', README_NODE)).toBe(true);
    expect(admits('18 || 20 || >=22', README_NODE)).toBe(true);
    expect(admits('^20.0.0 || ^22.0.0 || >=24.0.0', README_NODE)).toBe(true);
    expect(admits('>=22', README_NODE)).toBe(false);
    expect(admits('^20.20.0', README_NODE)).toBe(false);
    expect(admits('20.x || 22.x', README_NODE)).toBe(true);
    expect(admits('>= 10.*', README_NODE)).toBe(true);
    expect(admits('>=16 || 14 >=14.17', README_NODE)).toBe(true);
    expect(admits('*', README_NODE)).toBe(true);
  });

  it('lists exactly the packages that declare a newer Node, each with its reason', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean }> };
    const newer = Object.entries(lock.packages)
      .filter(([path, pkg]) => path.startsWith('node_modules/') && !pkg.optional && pkg.engines?.node && !admits(pkg.engines.node, README_NODE))
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect([...new Set(newer)].sort()).toEqual(Object.keys(DECLARES_NEWER_NODE).sort());
  });

  it('loads each of them on this Node the way its consumer does', async () => {
    const require = createRequire(import.meta.url);
    const cookie = require('cookie') as { stringifySetCookie(c: { name: string; value: string }): string };
    expect(cookie.stringifySetCookie({ name: 'a', value: 'b' })).toBe('a=b');
    const disposition = require('content-disposition') as { create(filename: string): string };
    expect(disposition.create('report.csv')).toBe('attachment; filename=report.csv');
    const { NWCClient } = await import('@getalby/sdk');
    expect(typeof NWCClient).toBe('function');
  });
});
