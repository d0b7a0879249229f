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

/** The writer the ledger used before canonicalJson became JSON.stringify with a sorted key list. */
function writtenKeyByKey(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => writtenKeyByKey(item)).join(',')}]`;
  const record = value as { readonly [key: string]: JsonValue | undefined };
  const keys = Object.keys(record).sort();
  return `{${keys.filter((key) => record[key] !== undefined).map((key) => `${JSON.stringify(key)}:${writtenKeyByKey(record[key] as JsonValue)}`).join(',')}}`;
}

describe('canonicalJson against the key-by-key writer', () => {
  it('writes byte for byte the text stored before, so a retry of an old request still matches it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (generated) => {
        const value = generated as JsonValue;
        expect(canonicalJson(value)).toBe(writtenKeyByKey(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes an object with its own __proto__ key, and objects without one, as they are', () => {
    const value = JSON.parse('{"b":{"__proto__":1,"a":2},"c":{"d":3}}') as JsonValue;
    expect(canonicalJson(value)).toBe('{"b":{"__proto__":1,"a":2},"c":{"d":3}}');
    expect(canonicalJson({ outer: { inner: 1 }, list: [{ z: 1, a: 2 }] })).toBe('{"list":[{"a":2,"z":1}],"outer":{"inner":1}}');
  });
});
