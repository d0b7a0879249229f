import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePaymentChallenge } from './challenge';
import type { ChallengeParseResult } from './challenge';
import { decodeInvoice } from './invoice';
import { decodeMacaroon } from './macaroon';
import { mintedMacaroon, newPreimage, signedInvoice, toBase64Url } from './test-fixtures';

const { paymentHashHex } = newPreimage();
const MAC = mintedMacaroon({ paymentHashHex, caveats: ['services=joke:0', 'joke_valid_until=2000000000'] });
const INV = signedInvoice({ paymentHashHex }).paymentRequest;
const VALID_HEADERS = [
  `LSAT macaroon="${MAC}", invoice="${INV}", L402 macaroon="${MAC}", invoice="${INV}"`,
  `L402 version="0", token="${MAC}", invoice="${INV}"`,
  `l402 invoice=${INV}, macaroon=${toBase64Url(MAC)}`,
  `Bearer realm="x", L402 macaroon="${MAC}", invoice="${INV}"`,
];
const RUNS = 10_000;

function isTyped(result: ChallengeParseResult): boolean {
  switch (result.kind) {
    case 'l402':
      return result.all.includes(result.challenge) && typeof result.challenge.macaroon === 'string';
    case 'unsupported':
      return ['x402', 'mpp', 'l402_offers'].includes(result.method);
    case 'not_payable':
      return Array.isArray(result.schemes);
  }
}

function parse(header: string, body: string | null): ChallengeParseResult {
  return parsePaymentChallenge({ status: 402, headers: { get: (n) => (n === 'www-authenticate' ? header : null) }, body });
}

/** Edits a valid header: delete, insert or replace a slice, using characters that matter to the grammar. */
const mutation = fc
  .tuple(
    fc.constantFrom(...VALID_HEADERS),
    fc.array(
      fc.record({
        at: fc.nat(),
        cut: fc.nat({ max: 8 }),
        insert: fc.string({ unit: fc.constantFrom('"', ',', '=', ' ', '\\', '\r\n ', 'L402 ', 'LSAT', 'a', '/', '+', '-', '_', '\u0000', 'é') }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([header, edits]) =>
    edits.reduce((text, { at, cut, insert }) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + cut);
    }, header),
  );

describe('challenge parser under fuzzing', () => {
  it(`returns a typed result and never throws, for ${RUNS} random strings and ${RUNS} mutated headers`, () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.option(fc.string({ maxLength: 200 })), (header, body) => {
        expect(isTyped(parse(header, body))).toBe(true);
        checked++;
      }),
      { numRuns: RUNS },
    );
    let l402Results = 0;
    fc.assert(
      fc.property(mutation, (header) => {
        const result = parse(header, null);
        expect(isTyped(result)).toBe(true);
        if (result.kind === 'l402') {
          l402Results++;
          // Whatever was accepted must decode or be refused by name, never throw.
          expect(typeof decodeMacaroon(result.challenge.macaroon).ok).toBe('boolean');
          expect(typeof decodeInvoice(result.challenge.invoice).ok).toBe('boolean');
        }
        checked++;
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBe(2 * RUNS);
    expect(l402Results).toBeGreaterThan(0); // the mutations stay close enough to valid to exercise that path
  });

  it(`decodes random and mutated macaroons and invoices to named results (${RUNS} each)`, () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(), fc.string({ maxLength: 3 }), (random, at, insert) => {
        const mutate = (s: string) => s.slice(0, at % s.length) + insert + s.slice((at % s.length) + 1);
        for (const input of [random, mutate(MAC), mutate(INV)]) {
          const mac = decodeMacaroon(input);
          const inv = decodeInvoice(input);
          expect(mac.ok || ['malformed_macaroon', 'unknown_macaroon_version'].includes(mac.reason)).toBe(true);
          expect(inv.ok || ['unparseable_invoice', 'invalid_invoice_signature', 'unknown_network'].includes(inv.reason)).toBe(true);
        }
        checked++;
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBe(RUNS);
  });
});
