import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type JsonValue } from './canonical-json';

/** The same object with its keys inserted in reverse order, at every depth. */
function reversedKeys(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: JsonValue) => reversedKeys(item));
  const record = value as { readonly [key: string]: JsonValue | undefined };
  return Object.fromEntries(
    Object.keys(record)
      .reverse()
      .map((key) => [key, record[key] === undefined ? undefined : reversedKeys(record[key])]),
  );
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined fields, and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'x' }], c: undefined }, ä: true, Z: false })).toBe(
      '{"Z":false,"a":{"d":[3,{"y":"x","z":null}]},"b":1,"ä":true}',
    );
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(() => canonicalJson({ amount: Number.NaN })).toThrow(/non-finite/);
  });

  it('gives equal strings for equal content however the keys were ordered, and parses back to the value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (generated) => {
        const value = generated as JsonValue;
        const json = canonicalJson(value);
        expect(canonicalJson(reversedKeys(value))).toBe(json);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});
