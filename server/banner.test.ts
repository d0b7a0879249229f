import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bannerFields, startBanner } from './banner';

const FACTS = { url: 'http://127.0.0.1:5402', mode: 'sandbox' as const, dataDir: 'data', databasePath: 'data/steward.db' };

describe('the start banner', () => {
  it('says where to open the app, the mode, where the data lives and how to stop', () => {
    const banner = startBanner(FACTS);
    expect(banner).toContain('Open     http://127.0.0.1:5402');
    expect(banner).toContain('Mode     sandbox: simulated Lightning, play sats, no real money');
    expect(banner).toContain(`Data     ${resolve('data')}`);
    expect(banner).toContain(`Database ${resolve('data/steward.db')}`);
    expect(banner).toContain('Ctrl+C');
    // A framed block: every line the same width.
    const widths = new Set(banner.trimEnd().split('\n').map((line) => line.length));
    expect(widths.size).toBe(1);
  });

  it('names live mode as real money', () => {
    expect(startBanner({ ...FACTS, mode: 'live' })).toContain('live: real wallets and real money');
    expect(bannerFields({ ...FACTS, mode: 'live' })).toMatchObject({ mode: 'live', dataDir: resolve('data') });
  });
});
