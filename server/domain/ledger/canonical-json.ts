// Stable JSON: object keys sorted at every depth, so two requests with the same content compare
// equal as strings however their fields were ordered. Used to tell an idempotent retry from a reused key.

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/**
 * JSON.stringify with every key of every object, sorted, as its replacer list: the native serialiser
 * then writes each object's keys in that order (and skips the ones an object lacks), so the text is
 * the one a key-sorting writer would produce, in one flat string. Every ledger operation serialises
 * its request once inside its write transaction, and building the text by hand cost a tenth of a
 * spend decision's allocations (bench/governance.bench.ts).
 */
export function canonicalJson(value: JsonValue): string {
  const keys: string[] = [];
  collectKeys(value, keys);
  // The one key a plain object inherits a non-function value for: listing it would make every object
  // without its own `__proto__` write the prototype as {}. Such a request is rare; sort by hand then.
  if (keys.includes('__proto__')) return byHand(value);
  return JSON.stringify(value, sortInPlace(keys));
}

/** Every key at every depth, once each; refuses non-finite numbers, which JSON cannot hold. */
function collectKeys(value: JsonValue | undefined, keys: string[]): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value as readonly JsonValue[]) collectKeys(item, keys);
    return;
  }
  const record = value as { readonly [key: string]: JsonValue | undefined };
  for (const key in record) {
    if (!keys.includes(key)) keys.push(key);
    collectKeys(record[key], keys);
  }
}

/**
 * Insertion sort by UTF-16 code units (the order of `a < b`, and of Array.prototype.sort's default):
 * a request has a dozen keys, and the built-in sort allocated more than the text itself.
 */
function sortInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** The same text, written key by key. */
function byHand(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map((item) => byHand(item)).join(',')}]`;
  const record = value as { readonly [key: string]: JsonValue | undefined };
  const fields = Object.keys(record)
    .sort()
    .flatMap((key) => {
      const item = record[key];
      return item === undefined ? [] : [`${JSON.stringify(key)}:${byHand(item)}`];
    });
  return `{${fields.join(',')}}`;
}
