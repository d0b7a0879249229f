import { describe, expect, it } from 'vitest';
import { parseConnectionString } from './connection-string';

const PUB = 'b889ff5b1513b641e2a139f661a661364979c5beee91842f8f0ef42ab558e9d4';
const SECRET = '71a8c14c1407c113601079c4302dab36460f0ccd0ad506f1f2dc73b5100e4f3c';
const relay = encodeURIComponent('wss://relay.example.com/v1');

describe('parseConnectionString', () => {
  it('accepts a well-formed string with several relays and a lud16', () => {
    const url = `nostr+walletconnect://${PUB}?relay=${relay}&relay=${encodeURIComponent('ws://127.0.0.1:7000')}&secret=${SECRET}&lud16=a%40b.com`;
    expect(parseConnectionString(`  ${url} `)).toEqual({
      ok: true,
      connection: {
        walletPubkeyHex: PUB,
        relayUrls: ['wss://relay.example.com/v1', 'ws://127.0.0.1:7000'],
        secretHex: SECRET,
        lud16: 'a@b.com',
      },
    });
  });

  it.each([
    ['https://example.com', 'not_a_connection_string'],
    [`nostr+walletconnect://${PUB.slice(2)}?relay=${relay}&secret=${SECRET}`, 'invalid_wallet_pubkey'],
    [`nostr+walletconnect://${PUB}?secret=${SECRET}`, 'invalid_relay_url'],
    [`nostr+walletconnect://${PUB}?relay=${encodeURIComponent('https://relay.example.com')}&secret=${SECRET}`, 'invalid_relay_url'],
    [`nostr+walletconnect://${PUB}?relay=${relay}`, 'invalid_secret'],
    [`nostr+walletconnect://${PUB}?relay=${relay}&secret=${SECRET.slice(1)}`, 'invalid_secret'],
    [`nostr+walletconnect://${PUB}?relay=${relay}&secret=nsec1xyz`, 'invalid_secret'],
  ])('refuses %s with %s', (input, reason) => {
    expect(parseConnectionString(input)).toEqual({ ok: false, reason });
  });
});
