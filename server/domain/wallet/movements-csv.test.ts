import { describe, expect, it } from 'vitest';
import { msat, signedMsat } from '../../../shared/money';
import { csvText, movementsCsv, satsText } from './movements-csv';
import type { WalletMovement } from './wallet-overview';

const movement = (over: Partial<WalletMovement>): WalletMovement => ({
  id: 7,
  kind: 'payment',
  amountMsat: signedMsat(-10_000),
  feeMsat: msat(1_010),
  providerId: 'satoshi-jokes',
  service: 'joke',
  serviceId: 'satoshi-jokes/joke',
  status: 'completed',
  note: null,
  atMs: Date.UTC(2026, 0, 2, 3, 4, 5),
  ...over,
});

describe('movements CSV', () => {
  it('writes exact sats with three decimals, sign kept', () => {
    expect(satsText(-10_010)).toBe('-10.010');
    expect(satsText(5)).toBe('0.005');
    expect(satsText(0)).toBe('0.000');
    expect(satsText(100_000_000)).toBe('100000.000');
  });

  it('quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvText('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvText('+1')).toBe("'+1");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText(null)).toBe('');
  });

  it('has one header and one CRLF-ended row per movement, fields in header order', () => {
    const csv = movementsCsv([movement({ service: 'joke, "deluxe"' }), movement({ id: 8, kind: 'receipt', amountMsat: signedMsat(1_000_000), feeMsat: msat(0), providerId: null, service: null, serviceId: null, note: 'outside' })]);
    expect(csv.split('\r\n')).toEqual([
      'date_utc,kind,status,amount_sat,fee_sat,provider,service,note,id',
      '2026-01-02T03:04:05.000Z,payment,completed,-10.000,1.010,satoshi-jokes,"joke, ""deluxe""",,7',
      '2026-01-02T03:04:05.000Z,receipt,completed,1000.000,0.000,,,outside,8',
      '',
    ]);
  });
});
